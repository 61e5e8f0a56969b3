// What the service logs at info (the default LOG_LEVEL): JSON lines, never order contents
// (valid, invalid, or refused by PostgreSQL, whose error detail quotes the whole row) and never the
// database password. Runs in-process, where the harness keeps every log line.
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { produce, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

// Personal data as it would appear in an order; none of it may reach a log line.
const MARK = {
  valid: 'Valid Customer Zq7',
  invalid: 'Invalid Customer Zq7',
  notJson: 'NotJson Customer Zq7',
  refused: 'Refused Customer Zq7',
};

function withName(uid: string, name: string): Record<string, unknown> {
  const order = makeOrder(uid);
  (order.delivery as Record<string, unknown>).name = name;
  return order;
}

describe('logs at info', () => {
  it('JSON lines without order contents or the database password, on every path an order takes', async () => {
    const env = await t.setup({ partitions: 1 });
    const svc = await t.start(); // the harness logs at info
    // the database refuses this one order (the model accepts it): the row-by-row path
    await sql(
      env.databaseUrl,
      `ALTER TABLE orders ADD CONSTRAINT t_refuse CHECK (data->'delivery'->>'name' <> '${MARK.refused}')`,
    );
    const invalid = withName('log-invalid', MARK.invalid);
    (invalid.payment as Record<string, unknown>).amount = 'twelve';
    await produce(env.brokers, env.topic, [
      { key: 'log-valid', value: bytes(withName('log-valid', MARK.valid)) },
      { key: 'log-invalid', value: bytes(invalid) },
      { key: 'log-not-json', value: Buffer.from(`{"name": "${MARK.notJson}"`) },
      { key: 'log-refused', value: bytes(withName('log-refused', MARK.refused)) },
    ]);
    await waitFor(
      () => svc.ingest.metrics.snapshot().deadLettered === 3,
      30_000,
      'three dead letters',
    );
    expect(await rowCount(env.databaseUrl)).toBe(1);
    await svc.stop();

    const lines = svc.logs;
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of parsed) {
      expect(typeof p.time).toBe('string');
      expect(['info', 'warn', 'error']).toContain(p.level);
      expect(typeof p.msg).toBe('string');
    }
    const msgs = parsed.map((p) => p.msg);
    // the paths above were logged (so the absence below means something)
    expect(msgs).toContain('postgres refused orders as data, dead-lettering them');
    expect(msgs).toContain('ingest stopped');

    const all = lines.join('\n');
    for (const mark of Object.values(MARK)) expect(all).not.toContain(mark);
    expect(all).not.toContain('Failing row contains');
    const password = new URL(env.databaseUrl).password;
    expect(password.length).toBeGreaterThan(0);
    expect(all).not.toContain(env.databaseUrl);
    expect(all).not.toContain(`:${password}@`);
  });
});
