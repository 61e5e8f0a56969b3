// Property-style test: random operations (seeded, reproducible) applied both to the store and to a
// naive reference model (an array in insertion order, linear scans). After every operation both
// must agree on every lookup, on recent() and on every counter.
import { seededRandom } from '@orders/testing';
import { describe, expect, it } from 'vitest';
import { createOrderStore, type OrderStoreStats, RECENT_MAX } from './order-store.ts';
import type { StoredOrder } from './stored-order.ts';

type Limits = { maxOrders: number; maxBytes: number; maxAgeMs: number; chunkBytes: number };

function referenceModel(limits: Limits) {
  let entries: StoredOrder[] = [];
  const counters = {
    evictedByCount: 0,
    evictedByBytes: 0,
    expired: 0,
    replaced: 0,
    tooLarge: 0,
    removed: 0,
  };
  const bytes = () => entries.reduce((sum, e) => sum + e.body.length, 0);
  return {
    entries: () => entries,
    put(o: StoredOrder): boolean {
      const clash = entries.filter((e) => e.uid === o.uid || e.id === o.id);
      counters.replaced += clash.length;
      entries = entries.filter((e) => !clash.includes(e));
      if (o.body.length > limits.maxBytes) {
        counters.tooLarge++;
        return false;
      }
      entries.push(o);
      while (entries.length > limits.maxOrders) {
        entries.shift();
        counters.evictedByCount++;
      }
      while (bytes() > limits.maxBytes) {
        entries.shift();
        counters.evictedByBytes++;
      }
      return entries.includes(o);
    },
    removeExpired(now: number): number {
      const before = entries.length;
      entries = entries.filter((e) => !(e.dateCreated < now - limits.maxAgeMs));
      counters.expired += before - entries.length;
      return before - entries.length;
    },
    remove(uid: string): boolean {
      const before = entries.length;
      entries = entries.filter((e) => e.uid !== uid);
      counters.removed += before - entries.length;
      return entries.length < before;
    },
    retainPartitions(keep: number[]): number {
      const before = entries.length;
      entries = entries.filter((e) => e.partition === undefined || keep.includes(e.partition));
      counters.removed += before - entries.length;
      return before - entries.length;
    },
    // heldBytes and compactions are the arena's business: checked as an invariant, not modelled.
    stats: (): Omit<OrderStoreStats, 'heldBytes' | 'compactions'> => ({
      count: entries.length,
      bytes: bytes(),
      ...counters,
    }),
  };
}

const cases: { seed: number; limits: Limits; compacts?: boolean }[] = [
  { seed: 1, limits: { maxOrders: 20, maxBytes: 800, maxAgeMs: 1000, chunkBytes: 1024 } },
  { seed: 2, limits: { maxOrders: 5, maxBytes: Infinity, maxAgeMs: 300, chunkBytes: 256 } },
  { seed: 3, limits: { maxOrders: Infinity, maxBytes: 300, maxAgeMs: 5000, chunkBytes: 1024 } },
  { seed: 4, limits: { maxOrders: 40, maxBytes: 700, maxAgeMs: 2000, chunkBytes: 512 } },
  { seed: 5, limits: { maxOrders: 1, maxBytes: 50, maxAgeMs: 0, chunkBytes: 64 } },
  // No limits, small chunks: replacements and expiry leave sparse chunks, so compaction runs.
  {
    seed: 6,
    limits: { maxOrders: Infinity, maxBytes: Infinity, maxAgeMs: 4000, chunkBytes: 320 },
    compacts: true,
  },
  {
    seed: 7,
    limits: { maxOrders: Infinity, maxBytes: Infinity, maxAgeMs: Infinity, chunkBytes: 320 },
    compacts: true,
  },
];

describe('order store against a reference model', () => {
  it.each(cases)(
    'agrees after every random operation (seed $seed)',
    ({ seed, limits, compacts }) => {
      const random = seededRandom(seed);
      const int = (n: number) => Math.floor(random() * n);
      const store = createOrderStore(limits);
      const model = referenceModel(limits);
      const uidPool = Array.from({ length: 60 }, (_, i) => `uid-${i}`);
      // The id PostgreSQL would assign to each uid, once; a few puts deliberately disagree with it.
      const idOf = new Map(uidPool.map((uid, i) => [uid, 1000 + i]));
      let clock = 0;

      for (let step = 0; step < 3000; step++) {
        const op = random();
        if (op < 0.85) {
          const uid = uidPool[int(uidPool.length)] ?? 'uid-0';
          const id = random() < 0.05 ? 1000 + int(uidPool.length) : (idOf.get(uid) ?? 0);
          const roll = random();
          const size =
            roll < 0.03 ? limits.maxBytes + 1 + int(10) : roll < 0.6 ? int(40) : int(120);
          const length = Number.isFinite(size) ? size : 120;
          const body = Buffer.from(Array.from({ length }, () => int(256)));
          // a partition for most puts (0–3), none for some
          const partition = random() < 0.9 ? int(4) : undefined;
          const o = { id, uid, body, etag: `"${step}"`, dateCreated: clock - int(3000), partition };
          expect(store.put(o), `step ${step}`).toBe(model.put(o));
        } else if (op < 0.87) {
          const uid = uidPool[int(uidPool.length)] ?? 'uid-0';
          expect(store.remove(uid), `step ${step}`).toBe(model.remove(uid));
        } else if (op < 0.88) {
          const keep = [0, 1, 2, 3].filter(() => random() < 0.6);
          expect(store.retainPartitions(keep), `step ${step}`).toBe(model.retainPartitions(keep));
        } else if (op < 0.95) {
          clock += int(500);
          expect(store.removeExpired(clock), `step ${step}`).toBe(model.removeExpired(clock));
        } else {
          const n = int(RECENT_MAX + 50);
          const all = model.entries();
          const want = all
            .slice(Math.max(all.length - n, 0))
            .reverse()
            .slice(0, RECENT_MAX);
          expect(summary(store.recent(n)), `step ${step}`).toEqual(summary(want));
        }

        const ids = uidPool.map((_, i) => 1000 + i);
        const want = model.entries();
        expect(
          {
            stats: { ...store.stats(), heldBytes: undefined, compactions: undefined },
            byUid: uidPool.map((uid) => summary1(store.getByUid(uid))),
            byId: ids.map((id) => summary1(store.getById(id))),
          },
          `step ${step}`,
        ).toStrictEqual({
          stats: { ...model.stats(), heldBytes: undefined, compactions: undefined },
          byUid: uidPool.map((uid) => summary1(want.find((e) => e.uid === uid))),
          byId: ids.map((id) => summary1(want.find((e) => e.id === id))),
        });
        const { heldBytes, bytes } = store.stats();
        expect(heldBytes, `step ${step}`).toBeLessThanOrEqual(2 * bytes + 4 * limits.chunkBytes);
      }
      // The walk went through every regime, or the test would prove little.
      const stats = store.stats();
      expect(stats.replaced + stats.tooLarge + stats.expired).toBeGreaterThan(0);
      expect(stats.removed).toBeGreaterThan(0);
      if (compacts) expect(stats.compactions).toBeGreaterThan(0);
      else expect(stats.evictedByCount + stats.evictedByBytes).toBeGreaterThan(0);
    },
    // thousands of checked operations: ~0.5 s alone, ~6 s when turbo runs every package's tests
    // on 2 cores (vitest's 5 s default failed CI); a correctness test, not a timing one
    60_000,
  );
});

function summary1(o: StoredOrder | undefined) {
  return (
    o && {
      id: o.id,
      uid: o.uid,
      etag: o.etag,
      body: o.body.toString('hex'),
      at: o.dateCreated,
      partition: o.partition,
    }
  );
}

function summary(list: StoredOrder[]) {
  return list.map(summary1);
}
