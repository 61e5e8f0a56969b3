// The dead-letter topic is fed from the ledger after the commit (an outbox). A kill -9 after the
// letters reach the topic and before the ledger marks them publishes them again at the restart:
// the ledger still holds each invalid message once, and the topic's copies share their key.
import { DLQ_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from './fixtures.ts';
import { produce, readDeadLetters, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

describe('dead letters through the outbox (child process)', () => {
  it('a kill -9 between publishing and marking: the ledger has each letter once, the topic at least once by key', async () => {
    const env = await t.setup({ partitions: 1 });
    const maxBytes = 20_000;
    const base = { KAFKA_MAX_BYTES: String(maxBytes) };
    const a = await t.spawn({ ...base, ORDERS_TEST_CRASH_AFTER_DLQ_PUBLISH: '1' });

    const invalid = invalidMessages(maxBytes);
    const messages: { key: string | null; value: Buffer | null }[] = [];
    for (let i = 0; i < 100; i++) {
      const uid = `outbox-${i}`;
      messages.push({ key: uid, value: bytes(makeOrder(uid)) });
      const bad = invalid[i / 10];
      if (i % 10 === 0 && bad) messages.push({ key: `bad-${i}`, value: bad.value });
    }
    await produce(env.brokers, env.topic, messages);
    expect((await a.exited).signal).toBe('SIGKILL');

    const b = await t.spawn(base);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 100, 30_000, '100 rows');
    const letters = await readDeadLetters(env);

    const ledger = await sql<{ src_offset: number; n: number }>(
      env.databaseUrl,
      'SELECT src_offset, count(*)::int AS n FROM dead_letters GROUP BY 1',
    );
    expect(ledger).toHaveLength(invalid.length);
    expect(ledger.every((r) => r.n === 1)).toBe(true);
    // the crash landed after a publish: some letters are on the topic twice, under one key
    expect(letters.length).toBeGreaterThan(invalid.length);
    const byKey = new Map(letters.map((l) => [l.key, l]));
    expect(byKey.size).toBe(invalid.length);
    for (const [key, l] of byKey) {
      expect(key).toBe(`${env.topic}/0/${l.headers[DLQ_HEADERS.offset]}`);
    }
    expect([...byKey.values()].map((l) => l.headers[DLQ_HEADERS.reason]).sort()).toEqual(
      invalid.map((i) => i.reason).sort(),
    );
    // the source's own key travels in its header
    expect(
      [...byKey.values()].every((l) => l.headers[DLQ_HEADERS.sourceKey]?.startsWith('bad-')),
    ).toBe(true);
    // the restart resumed from PostgreSQL's offset: nothing already written was delivered again
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).not.toMatch(/^orders_redelivered_total\{[^}]*\} [1-9]/m);
  });
});
