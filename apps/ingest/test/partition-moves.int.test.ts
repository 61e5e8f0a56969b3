// Two instances in one group while partitions change hands: an instance keeps in memory only the
// partitions it owns (entries of a partition it lost are dropped at the group join; the restore
// loads only the partitions assigned to it, again when partitions move to it), so after another
// instance ingests an update, both APIs serve the newest bytes and ETag — never an old copy.
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { produce, type Running, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

type Row = { order_uid: string; body: string; etag: string; src_partition: number };

async function rowsAt(url: string, version: number): Promise<Row[]> {
  return sql<Row>(
    url,
    'SELECT order_uid, body, etag, src_partition FROM orders WHERE version = $1 ORDER BY order_uid',
    [version],
  );
}

/** Every order through `svc`'s API: the bytes and ETag PostgreSQL holds (lists the mismatches). */
async function staleAnswers(svc: Running, rows: Row[]): Promise<string[]> {
  const stale: string[] = [];
  await Promise.all(
    rows.map(async (row) => {
      const res = await fetch(`${svc.url}/orders/${row.order_uid}`);
      const text = await res.text();
      if (res.status !== 200 || text !== row.body || res.headers.get('etag') !== row.etag) {
        stale.push(`${row.order_uid}: ${res.status} ${res.headers.get('etag')}`);
      }
    }),
  );
  return stale.sort();
}

function versionOf(uids: string[], version: number) {
  return uids.map((u) => ({ key: u, value: bytes(makeOrder(u, { shardkey: String(version) })) }));
}

function partitionsSplit(a: Running, b: Running): boolean {
  const pa = a.ingest.status().partitions;
  const pb = b.ingest.status().partitions;
  return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 6;
}

describe('partitions moving between two instances', () => {
  it('after a rebalance, an update ingested by one is served by both', async () => {
    const env = await t.setup({ partitions: 6 });
    const uids = Array.from({ length: 120 }, (_, i) => `pm-${i}`);
    const a = await t.start();
    // a owns every partition: it consumes (and holds in memory) every first version
    await produce(env.brokers, env.topic, versionOf(uids, 1));
    await waitFor(async () => (await rowsAt(env.databaseUrl, 1)).length === 120, 30_000, 'v1');
    await waitFor(() => a.ingest.store.stats().count === 120, 10_000, 'v1 in a memory');

    const b = await t.start();
    await waitFor(() => partitionsSplit(a, b), 30_000, 'partitions split');
    const owned = { a: a.ingest.status().partitions, b: b.ingest.status().partitions };
    // a dropped what it no longer owns; b restored only what it owns
    for (const [svc, mine] of [
      [a, owned.a],
      [b, owned.b],
    ] as const) {
      for (const row of await rowsAt(env.databaseUrl, 1)) {
        const inMemory = svc.ingest.store.getByUid(row.order_uid) !== undefined;
        expect(inMemory, row.order_uid).toBe(mine.includes(row.src_partition));
      }
    }

    // the second version of every order, each consumed by the partition's new owner
    await produce(env.brokers, env.topic, versionOf(uids, 2));
    await waitFor(async () => (await rowsAt(env.databaseUrl, 2)).length === 120, 30_000, 'v2');
    const v2 = await rowsAt(env.databaseUrl, 2);
    expect(new Set(v2.map((r) => r.src_partition)).size).toBeGreaterThan(1);
    expect(await staleAnswers(a, v2)).toEqual([]);
    expect(await staleAnswers(b, v2)).toEqual([]);

    // b leaves: a owns everything again, restores b's partitions (memory = PostgreSQL's v2) and
    // consumes the third version itself
    await b.stop();
    await waitFor(() => a.ingest.status().partitions.length === 6, 30_000, 'a owns all');
    await waitFor(() => a.ingest.store.stats().count === 120, 10_000, 'b partitions restored');
    const differing = v2.filter((r) => a.ingest.store.getByUid(r.order_uid)?.etag !== r.etag);
    expect(differing.map((r) => r.order_uid)).toEqual([]);
    await produce(env.brokers, env.topic, versionOf(uids, 3));
    await waitFor(async () => (await rowsAt(env.databaseUrl, 3)).length === 120, 30_000, 'v3');
    expect(await staleAnswers(a, await rowsAt(env.databaseUrl, 3))).toEqual([]);
  });
});
