// Two instances in one consumer group split the partitions; either API answers every order.
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { produce, rowCount, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

describe('two instances in one group', () => {
  it('split the partitions and both serve every order', async () => {
    const env = await t.setup({ partitions: 6 });
    const a = await t.start();
    const b = await t.start();
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
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 600, 30_000, '600 rows');
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
