// Restarts, kill -9 and a crash between PostgreSQL's commit and Kafka's: the service runs as a
// child process (`node src/main.ts`, test/crash-main.ts for the crash hook) owned by pid.
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import {
  type Child,
  committedOffsets,
  createProducer,
  produce,
  rowCount,
  sql,
  useTestEnv,
  waitFor,
} from './harness.ts';

const t = useTestEnv();

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

async function metrics(c: Child): Promise<string> {
  return (await fetch(`${c.url}/metrics`)).text();
}

async function assertExactlyOnce(url: string, uids: string[]): Promise<void> {
  const rows = await sql<{ order_uid: string }>(url, 'SELECT order_uid FROM orders');
  const got = rows.map((r) => r.order_uid);
  expect(got.length).toBe(new Set(got).size); // no duplicate rows
  const missing = uids.filter((u) => !got.includes(u));
  expect(missing).toEqual([]);
  expect(got.length).toBe(uids.length); // nothing unexpected
}

describe('restart and crash (child process)', () => {
  it('SIGTERM exits 0 after committing; a restart restores memory and serves the same bytes', async () => {
    const env = await t.setup({ partitions: 3 });
    const a = await t.spawn();
    const uids = Array.from({ length: 200 }, (_, i) => `rs-${i}`);
    await produce(
      env.brokers,
      env.topic,
      uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
    );
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 200, 30_000, '200 rows');
    await waitFor(
      async () => metricValue(await metrics(a), 'orders_store_orders') === 200,
      10_000,
      'store 200',
    );
    const before = Buffer.from(await (await fetch(`${a.url}/orders/rs-42`)).arrayBuffer());
    const etagBefore = (await fetch(`${a.url}/orders/rs-42`)).headers.get('etag');
    a.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });

    const b = await t.spawn();
    // ready means restored: memory holds all 200 before any message is consumed
    const m = await metrics(b);
    expect(metricValue(m, 'orders_store_orders')).toBe(200);
    const after = await fetch(`${b.url}/orders/rs-42`);
    expect(Buffer.from(await after.arrayBuffer()).equals(before)).toBe(true);
    expect(after.headers.get('etag')).toBe(etagBefore);
    // a clean stop committed everything: nothing is redelivered to the new process
    await new Promise((r) => setTimeout(r, 2_000));
    expect(metricValue(await metrics(b), 'orders_duplicate_deliveries_total')).toBe(0);
  });

  it('kill -9 during a stream, then restart: every order exactly once', async () => {
    const env = await t.setup({ partitions: 3 });
    const a = await t.spawn();
    const producer = await createProducer(env.brokers);
    const uids = Array.from({ length: 4_000 }, (_, i) => `k9-${i}`);
    let killedAt = -1;
    for (let i = 0; i < uids.length; i += 100) {
      await producer.send(
        env.topic,
        uids.slice(i, i + 100).map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
      );
      if (killedAt < 0 && (await rowCount(env.databaseUrl)) > 500) {
        a.kill('SIGKILL');
        killedAt = i;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await producer.close();
    expect(killedAt).toBeGreaterThan(0);
    expect((await a.exited).signal).toBe('SIGKILL');
    const rowsAtKill = await rowCount(env.databaseUrl);
    expect(rowsAtKill).toBeLessThan(uids.length);

    const b = await t.spawn();
    await waitFor(
      async () => (await rowCount(env.databaseUrl)) === uids.length,
      60_000,
      'all rows',
    );
    await assertExactlyOnce(env.databaseUrl, uids);
    expect((await fetch(`${b.url}/orders/k9-3999`)).status).toBe(200);
    // consumer lag is sampled from admin offsets (every 10 s) and drops to 0 per partition
    await waitFor(
      async () => {
        const lag = (await metrics(b))
          .split('\n')
          .filter((l) => l.startsWith('orders_consumer_lag{'));
        return lag.length === 3 && lag.every((l) => l.endsWith(' 0'));
      },
      30_000,
      'lag 0 on 3 partitions',
      500,
    );
  });

  it("a crash between PostgreSQL's commit and Kafka's: the restart resumes from PostgreSQL, nothing delivered again", async () => {
    const env = await t.setup({ partitions: 1 });
    const a = await t.spawn({ ORDERS_TEST_CRASH_AFTER_DB_COMMIT: '1' });
    const uids = Array.from({ length: 300 }, (_, i) => `cc-${i}`);
    await produce(
      env.brokers,
      env.topic,
      uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
    );
    expect((await a.exited).signal).toBe('SIGKILL');
    const committedRows = await rowCount(env.databaseUrl);
    expect(committedRows).toBeGreaterThan(0);
    // the crash landed between the two: PostgreSQL's offset is ahead of Kafka's
    const [stored] = await sql<{ next_offset: string }>(
      env.databaseUrl,
      'SELECT next_offset::text AS next_offset FROM consumer_offsets',
    );
    const kafkaOffset = (await committedOffsets(env.brokers, env.groupId, env.topic)).get(0) ?? -1;
    expect(Number(stored?.next_offset)).toBeGreaterThan(kafkaOffset);

    const b = await t.spawn();
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 300, 30_000, 'all rows');
    await assertExactlyOnce(env.databaseUrl, uids);
    const text = await metrics(b);
    expect(text).not.toMatch(/^orders_redelivered_total\{[^}]*\} [1-9]/m);
    expect(metricValue(text, 'orders_duplicate_deliveries_total')).toBe(0);
  });
});
