import { describe, expect, it } from 'vitest';
import { createOrderStore, RECENT_MAX } from './order-store.ts';
import type { StoredOrder } from './stored-order.ts';

const DAY = 24 * 60 * 60 * 1000;
const unbounded = { maxOrders: Infinity, maxBytes: Infinity, maxAgeMs: Infinity };

function order(id: number, uid: string, size = 10, dateCreated = 0): StoredOrder {
  return { id, uid, body: Buffer.alloc(size, id % 256), etag: `"e${id}-${size}"`, dateCreated };
}

function uids(orders: StoredOrder[]): string[] {
  return orders.map((o) => o.uid);
}

describe('lookup', () => {
  it('finds an order by uid and by id, and nothing else', () => {
    const store = createOrderStore(unbounded);
    const a = order(1, 'a', 5, 123);
    const b = order(2, 'b', 7, 456);
    expect(store.put(a)).toBe(true);
    expect(store.put(b)).toBe(true);

    expect(store.getByUid('a')).toEqual(a);
    expect(store.getById(1)).toEqual(a);
    expect(store.getByUid('b')).toEqual(b);
    expect(store.getById(2)).toEqual(b);
    expect(store.getById(1)).toBe(store.getByUid('a'));
    expect(store.getByUid('c')).toBeUndefined();
    expect(store.getById(3)).toBeUndefined();
    expect(store.stats()).toMatchObject({ count: 2, bytes: 12 });
  });

  it('hands out entries that show only the order fields', () => {
    const store = createOrderStore(unbounded);
    store.put(order(1, 'a'));
    store.put({ ...order(2, 'b'), partition: 3 });
    const found = store.getByUid('a');
    expect(Object.keys(found ?? {}).sort()).toEqual([
      'body',
      'dateCreated',
      'etag',
      'id',
      'partition',
      'uid',
    ]);
    expect(found?.partition).toBeUndefined();
    expect(store.getByUid('b')?.partition).toBe(3);
  });
});

describe('bodies', () => {
  it('keeps a copy, so the caller may reuse its buffer', () => {
    const store = createOrderStore(unbounded);
    const source = Buffer.from('{"order_uid":"a"}');
    store.put({ id: 1, uid: 'a', body: source, etag: '"x"', dateCreated: 0 });
    source.fill(0);
    expect(store.getByUid('a')?.body.toString()).toBe('{"order_uid":"a"}');
  });

  it('keeps a large body that owns its whole ArrayBuffer as is', () => {
    const store = createOrderStore({ ...unbounded, chunkBytes: 1024 });
    const body = Buffer.allocUnsafeSlow(200).fill(1);
    store.put({ id: 1, uid: 'a', body, etag: '"x"', dateCreated: 0 });
    expect(store.getByUid('a')?.body).toBe(body);
  });

  it('compacts mostly-dead chunks after a sweep, keeping every body intact', () => {
    const now = 1_000_000;
    const store = createOrderStore({
      maxOrders: Infinity,
      maxBytes: Infinity,
      maxAgeMs: 10,
      chunkBytes: 1024,
    });
    const body = (i: number) => Buffer.from(Array.from({ length: 100 }, (_, k) => (i + k) % 256));
    // 200 bodies of 100 bytes fill 20 chunks; three in four are old and expire.
    for (let i = 0; i < 200; i++) {
      store.put({
        id: i,
        uid: `u${i}`,
        body: body(i),
        etag: '"x"',
        dateCreated: i % 4 === 0 ? now : 0,
      });
    }
    expect(store.stats()).toMatchObject({ heldBytes: 20 * 1024, compactions: 0 });

    expect(store.removeExpired(now)).toBe(150);
    const stats = store.stats();
    expect(stats.compactions).toBe(1);
    expect(stats.bytes).toBe(5000);
    expect(stats.heldBytes).toBeLessThanOrEqual(2 * stats.bytes + 4 * 1024);
    for (let i = 0; i < 200; i += 4) expect(store.getById(i)?.body.equals(body(i))).toBe(true);
  });
});

describe('replace', () => {
  it('replaces by uid: new content served, bytes fixed, becomes the newest', () => {
    const store = createOrderStore(unbounded);
    store.put(order(1, 'a', 10));
    store.put(order(2, 'b', 20));
    const newer = { ...order(1, 'a', 35), etag: '"new"' };
    expect(store.put(newer)).toBe(true);

    expect(store.getByUid('a')).toEqual(newer);
    expect(store.getById(1)).toEqual(newer);
    expect(uids(store.recent(10))).toEqual(['a', 'b']);
    expect(store.stats()).toMatchObject({ count: 2, bytes: 55, replaced: 1 });
  });

  it('unmaps the old id when the same uid comes with a different id', () => {
    const store = createOrderStore(unbounded);
    store.put(order(1, 'a', 10));
    store.put(order(9, 'a', 12));

    expect(store.getById(1)).toBeUndefined();
    expect(store.getById(9)?.uid).toBe('a');
    expect(store.getByUid('a')?.id).toBe(9);
    expect(store.stats()).toMatchObject({ count: 1, bytes: 12, replaced: 1 });
  });

  it('drops another uid that held the same id', () => {
    const store = createOrderStore(unbounded);
    store.put(order(1, 'a', 10));
    store.put(order(2, 'b', 10));
    store.put(order(1, 'c', 15));

    expect(store.getByUid('a')).toBeUndefined();
    expect(store.getById(1)?.uid).toBe('c');
    expect(store.getByUid('b')?.id).toBe(2);
    expect(store.stats()).toMatchObject({ count: 2, bytes: 25, replaced: 1 });
  });

  it('drops both when the uid and the id belong to two different entries', () => {
    const store = createOrderStore(unbounded);
    store.put(order(1, 'a'));
    store.put(order(2, 'b'));
    store.put(order(2, 'a'));

    expect(store.getByUid('b')).toBeUndefined();
    expect(store.getById(1)).toBeUndefined();
    expect(store.getById(2)?.uid).toBe('a');
    expect(store.stats()).toMatchObject({ count: 1, bytes: 10, replaced: 2 });
  });
});

describe('eviction', () => {
  it('evicts the oldest while over maxOrders', () => {
    const store = createOrderStore({ ...unbounded, maxOrders: 3 });
    for (let i = 1; i <= 5; i++) store.put(order(i, `u${i}`));

    expect(store.getByUid('u1')).toBeUndefined();
    expect(store.getById(2)).toBeUndefined();
    expect(uids(store.recent(10))).toEqual(['u5', 'u4', 'u3']);
    expect(store.stats()).toMatchObject({ count: 3, bytes: 30, evictedByCount: 2 });
  });

  it('evicts by insertion order, where a replaced order counts as new', () => {
    const store = createOrderStore({ ...unbounded, maxOrders: 2 });
    store.put(order(1, 'a'));
    store.put(order(2, 'b'));
    store.put(order(1, 'a'));
    store.put(order(3, 'c'));

    expect(uids(store.recent(10))).toEqual(['c', 'a']);
    expect(store.stats()).toMatchObject({ evictedByCount: 1, replaced: 1 });
  });

  it('evicts the oldest while over maxBytes', () => {
    const store = createOrderStore({ ...unbounded, maxBytes: 100 });
    store.put(order(1, 'a', 40));
    store.put(order(2, 'b', 40));
    store.put(order(3, 'c', 20));
    expect(store.stats()).toMatchObject({ count: 3, bytes: 100, evictedByBytes: 0 });

    store.put(order(4, 'd', 70));
    expect(uids(store.recent(10))).toEqual(['d', 'c']);
    expect(store.stats()).toMatchObject({ count: 2, bytes: 90, evictedByBytes: 2 });
  });

  it('keeps byte accounting right when a replace grows an order past maxBytes', () => {
    const store = createOrderStore({ ...unbounded, maxBytes: 100 });
    store.put(order(1, 'a', 30));
    store.put(order(2, 'b', 30));
    store.put(order(1, 'a', 90));

    expect(uids(store.recent(10))).toEqual(['a']);
    expect(store.stats()).toMatchObject({ count: 1, bytes: 90, evictedByBytes: 1, replaced: 1 });
  });

  it('does not store an order larger than maxBytes, evicts nothing for it, counts it', () => {
    const store = createOrderStore({ ...unbounded, maxBytes: 100 });
    store.put(order(1, 'a', 60));
    expect(store.put(order(2, 'big', 101))).toBe(false);

    expect(store.getByUid('big')).toBeUndefined();
    expect(store.getById(2)).toBeUndefined();
    expect(store.getByUid('a')).toBeDefined();
    expect(store.stats()).toMatchObject({ count: 1, bytes: 60, tooLarge: 1, evictedByBytes: 0 });
  });

  it('drops the stored version when its replacement is too large, so it is not served stale', () => {
    const store = createOrderStore({ ...unbounded, maxBytes: 100 });
    store.put(order(1, 'a', 60));
    expect(store.put(order(1, 'a', 150))).toBe(false);

    expect(store.getByUid('a')).toBeUndefined();
    expect(store.getById(1)).toBeUndefined();
    expect(store.stats()).toMatchObject({ count: 0, bytes: 0, tooLarge: 1, replaced: 1 });
  });

  it('stores nothing with maxOrders 0', () => {
    const store = createOrderStore({ ...unbounded, maxOrders: 0 });
    expect(store.put(order(1, 'a'))).toBe(false);
    expect(store.getByUid('a')).toBeUndefined();
    expect(store.stats()).toMatchObject({ count: 0, bytes: 0, evictedByCount: 1 });
  });

  it('accepts an empty body at maxBytes 0', () => {
    const store = createOrderStore({ ...unbounded, maxBytes: 0 });
    expect(store.put(order(1, 'a', 0))).toBe(true);
    expect(store.put(order(2, 'b', 1))).toBe(false);
    expect(store.stats()).toMatchObject({ count: 1, bytes: 0, tooLarge: 1 });
  });
});

describe('removeExpired', () => {
  const now = Date.UTC(2025, 0, 15);

  it('drops orders created before now − maxAgeMs, from both indexes', () => {
    const store = createOrderStore({ ...unbounded, maxAgeMs: 14 * DAY });
    store.put(order(1, 'old', 10, now - 15 * DAY));
    store.put(order(2, 'edge', 10, now - 14 * DAY));
    store.put(order(3, 'fresh', 10, now - DAY));
    store.put(order(4, 'older', 10, now - 400 * DAY));

    expect(store.removeExpired(now)).toBe(2);
    expect(store.getByUid('old')).toBeUndefined();
    expect(store.getById(4)).toBeUndefined();
    expect(uids(store.recent(10))).toEqual(['fresh', 'edge']);
    expect(store.stats()).toMatchObject({ count: 2, bytes: 20, expired: 2 });
    expect(store.removeExpired(now)).toBe(0);
  });

  it('uses the injected clock when called without now', () => {
    let clock = now;
    const store = createOrderStore({ ...unbounded, maxAgeMs: DAY, now: () => clock });
    store.put(order(1, 'a', 10, now - DAY / 2));
    expect(store.removeExpired()).toBe(0);
    clock = now + DAY;
    expect(store.removeExpired()).toBe(1);
  });

  it('handles any date: far past, far future, epoch, negative, NaN', () => {
    const store = createOrderStore({ ...unbounded, maxAgeMs: 14 * DAY });
    store.put(order(1, 'min', 10, -8.64e15));
    store.put(order(2, 'max', 10, 8.64e15));
    store.put(order(3, 'epoch', 10, 0));
    store.put(order(4, 'before-epoch', 10, -1));
    store.put(order(5, 'nan', 10, Number.NaN));
    store.put(order(6, 'minus-infinity', 10, Number.NEGATIVE_INFINITY));

    expect(store.removeExpired(now)).toBe(4);
    expect(uids(store.recent(10))).toEqual(['nan', 'max']);
  });

  it('removes nothing for a NaN now or an infinite maxAgeMs', () => {
    const store = createOrderStore({ ...unbounded, maxAgeMs: DAY });
    store.put(order(1, 'a', 10, 0));
    expect(store.removeExpired(Number.NaN)).toBe(0);

    const forever = createOrderStore(unbounded);
    forever.put(order(1, 'a', 10, -8.64e15));
    expect(forever.removeExpired(8.64e15)).toBe(0);
    expect(forever.removeExpired(Number.POSITIVE_INFINITY)).toBe(0);
    expect(forever.stats().count).toBe(1);
  });

  it('expires everything created before now with maxAgeMs 0', () => {
    const store = createOrderStore({ ...unbounded, maxAgeMs: 0 });
    store.put(order(1, 'past', 10, now - 1));
    store.put(order(2, 'now', 10, now));
    expect(store.removeExpired(now)).toBe(1);
    expect(store.getByUid('now')).toBeDefined();
  });
});

describe('remove and retainPartitions', () => {
  const at = (id: number, uid: string, partition?: number) => ({ ...order(id, uid), partition });

  it('remove drops one entry from both indexes and the list', () => {
    const store = createOrderStore(unbounded);
    store.put(at(1, 'a', 0));
    store.put(at(2, 'b', 0));
    expect(store.remove('a')).toBe(true);
    expect(store.remove('a')).toBe(false);
    expect(store.remove('nope')).toBe(false);
    expect(store.getByUid('a')).toBeUndefined();
    expect(store.getById(1)).toBeUndefined();
    expect(uids(store.recent(10))).toEqual(['b']);
    expect(store.stats()).toMatchObject({ count: 1, bytes: 10, removed: 1 });
  });

  it('retainPartitions drops the entries of every other partition, keeps unpartitioned ones', () => {
    const store = createOrderStore(unbounded);
    store.put(at(1, 'p0', 0));
    store.put(at(2, 'p1', 1));
    store.put(at(3, 'none'));
    store.put(at(4, 'p2', 2));
    store.put(at(5, 'p1-b', 1));

    expect(store.retainPartitions([1, 5])).toBe(2);
    expect(uids(store.recent(10))).toEqual(['p1-b', 'none', 'p1']);
    expect(store.getByUid('p0')).toBeUndefined();
    expect(store.getById(4)).toBeUndefined();
    expect(store.stats()).toMatchObject({ count: 3, bytes: 30, removed: 2 });
    // nothing owned: only the unpartitioned entry stays
    expect(store.retainPartitions(new Set())).toBe(2);
    expect(uids(store.recent(10))).toEqual(['none']);
    expect(store.retainPartitions([])).toBe(0);
    expect(store.stats()).toMatchObject({ count: 1, removed: 4 });
  });

  it('a later put of a dropped uid stores it again under its new partition', () => {
    const store = createOrderStore(unbounded);
    store.put(at(1, 'a', 0));
    store.retainPartitions([1]);
    expect(store.put(at(1, 'a', 1))).toBe(true);
    expect(store.getById(1)?.partition).toBe(1);
    expect(store.retainPartitions([1])).toBe(0);
  });

  it('keeps bodies intact when the drops leave chunks mostly dead (compaction)', () => {
    const store = createOrderStore({ ...unbounded, chunkBytes: 64 });
    for (let i = 1; i <= 40; i++) store.put({ ...order(i, `u${i}`, 8), partition: i % 4 });
    expect(store.retainPartitions([0])).toBe(30);
    for (let i = 4; i <= 40; i += 4) {
      expect(store.getByUid(`u${i}`)?.body.equals(Buffer.alloc(8, i))).toBe(true);
    }
    const { heldBytes, bytes } = store.stats();
    expect(heldBytes).toBeLessThanOrEqual(2 * bytes + 4 * 64);
  });
});

describe('recent', () => {
  it('returns newest first, at most limit', () => {
    const store = createOrderStore(unbounded);
    for (let i = 1; i <= 5; i++) store.put(order(i, `u${i}`));
    expect(uids(store.recent(3))).toEqual(['u5', 'u4', 'u3']);
    expect(uids(store.recent(2.9))).toEqual(['u5', 'u4']);
    expect(store.recent(0)).toEqual([]);
    expect(store.recent(-1)).toEqual([]);
    expect(store.recent(Number.NaN)).toEqual([]);
  });

  it('caps limit at RECENT_MAX', () => {
    const store = createOrderStore(unbounded);
    for (let i = 1; i <= RECENT_MAX + 20; i++) store.put(order(i, `u${i}`));
    const got = store.recent(Number.POSITIVE_INFINITY);
    expect(got).toHaveLength(RECENT_MAX);
    expect(got[0]?.uid).toBe(`u${RECENT_MAX + 20}`);
    expect(store.recent(1000)).toHaveLength(RECENT_MAX);
  });

  it('is empty for an empty store', () => {
    expect(createOrderStore(unbounded).recent(10)).toEqual([]);
  });
});

describe('options', () => {
  it.each([
    { maxOrders: -1 },
    { maxOrders: 1.5 },
    { maxOrders: Number.NaN },
    { maxBytes: -1 },
    { maxBytes: Number.NaN },
    { maxAgeMs: -1 },
    { maxAgeMs: Number.NaN },
    { chunkBytes: 4 },
    { chunkBytes: 1000.5 },
  ])('rejects %o', (bad) => {
    expect(() => createOrderStore({ ...unbounded, ...bad })).toThrow(RangeError);
  });
});
