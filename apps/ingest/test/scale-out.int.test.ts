// Two instances in one consumer group split the partitions; either API answers every order.
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import {
  createTestEnv,
  produce,
  type Running,
  rowCount,
  startInProcess,
  type TestEnv,
  waitFor,
} from './harness.ts';

let env: TestEnv | undefined;
const cur = (): TestEnv => {
  if (!env) throw new Error('no test env');
  return env;
};
let running: Running[] = [];

afterEach(async () => {
  for (const r of running) await r.stop().catch(() => {});
  running = [];
  await env?.cleanup();
  env = undefined;
});

describe('two instances in one group', () => {
  it('split the partitions and both serve every order', async () => {
    env = await createTestEnv({ partitions: 6 });
    const a = await startInProcess(await env.env());
    running.push(a);
    const b = await startInProcess(await env.env());
    running.push(b);
    // after b joined, the group rebalanced: each holds a disjoint, non-empty share
    await waitFor(
      () =>
        a.ingest.status().partitions.length > 0 &&
        b.ingest.status().partitions.length > 0 &&
        a.ingest.status().partitions.length + b.ingest.status().partitions.length === 6,
      30_000,
      'partitions split',
    );
    const pa = a.ingest.status().partitions;
    const pb = b.ingest.status().partitions;
    expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const uids = Array.from({ length: 600 }, (_, i) => `so-${i}`);
    await produce(
      env.brokers,
      env.topic,
      uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
    );
    await waitFor(async () => (await rowCount(cur().databaseUrl)) === 600, 30_000, '600 rows');
    const countA = a.ingest.store.stats().count;
    const countB = b.ingest.store.stats().count;
    expect(countA).toBeGreaterThan(0);
    expect(countB).toBeGreaterThan(0);
    expect(countA + countB).toBe(600);
    for (const svc of [a, b]) {
      const statuses = await Promise.all(
        uids.map(async (u) => (await fetch(`${svc.url}/orders/${u}`)).status),
      );
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    }
  });
});
