// One statement slower than the session timeout (a lock, a hung query: the statement timeout is
// 30 s, kafkajs' session timeout 30 s by default) must not cost the group membership: the pipeline
// heartbeats while the batch's writes are in flight.
import { describe, expect, it } from 'vitest';
import { holdBatchInFlight, rowCount, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

const SESSION_TIMEOUT_MS = 6_000; // the smallest the config accepts

describe('a statement slower than the session timeout', () => {
  it('keeps the member in its group: one join, every order once, no redelivery', async () => {
    const env = await t.setup({ partitions: 1 });
    const svc = await t.start({ KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) });
    const joins = () => svc.logs.filter((l) => l.includes('"joined consumer group"')).length;
    expect(joins()).toBe(1);

    const uids = Array.from({ length: 50 }, (_, i) => `slow-${i}`);
    const lock = await holdBatchInFlight(t, uids);
    // twice the session timeout with the upsert waiting: without heartbeats the broker evicts us
    await new Promise((r) => setTimeout(r, 2 * SESSION_TIMEOUT_MS + 1_000));
    await lock.release();

    await waitFor(async () => (await rowCount(env.databaseUrl)) === uids.length, 30_000, 'rows');
    await waitFor(() => svc.ingest.metrics.snapshot().batches > 0, 10_000, 'the batch committed');
    // a rejoin would show within the heartbeat that follows the batch
    await new Promise((r) => setTimeout(r, 3_000));
    expect(joins()).toBe(1);
    expect(svc.ingest.metrics.snapshot().duplicates).toBe(0);
  }, 60_000);
});
