import { createOrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from './api-metrics.ts';
import { ApiError } from './http-error.ts';
import { createReadThrough, type ReadThroughOptions } from './read-through.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';

function setup(options: Partial<ReadThroughOptions> = {}) {
  const store = createOrderStore({ maxOrders: 100, maxBytes: Infinity, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const metrics = createApiMetrics();
  let clock = 1_000_000;
  const readThrough = createReadThrough({
    store,
    reader,
    metrics,
    now: () => clock,
    ...options,
  });
  return {
    store,
    reader,
    metrics,
    readThrough,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('createReadThrough', () => {
  it('answers memory hits synchronously, without the reader', () => {
    const { store, reader, readThrough, metrics } = setup();
    const order = storedOrder(1, 'in-memory');
    store.put(order);
    expect(readThrough.byUid('in-memory')).toBe(store.getByUid('in-memory'));
    expect(readThrough.byId(1)).toBe(store.getById(1));
    expect(reader.calls).toEqual({ getByUids: 0, getByIds: 0, recent: 0 });
    expect(metrics.lookups.memory.value).toBe(2);
  });

  it('reads through to the reader on a miss and does not fill the store', async () => {
    const { store, reader, readThrough, metrics } = setup();
    const evicted = storedOrder(7, 'only-in-db');
    reader.add(evicted);
    const lookup = readThrough.byUid('only-in-db');
    expect(lookup).toBeInstanceOf(Promise);
    expect(await lookup).toBe(evicted);
    expect(await readThrough.byId(7)).toBe(evicted);
    expect(store.getByUid('only-in-db')).toBeUndefined();
    expect(metrics.lookups.database.value).toBe(2);
    expect(metrics.reads.found.value).toBe(2);
  });

  it('shares one reader query among concurrent misses for one key', async () => {
    const { reader, readThrough, metrics } = setup();
    const order = storedOrder(9, 'popular');
    reader.add(order);
    const release = reader.hold();
    const lookups = Array.from({ length: 50 }, () => readThrough.byUid('popular'));
    const byId = Array.from({ length: 20 }, () => readThrough.byId(9));
    release();
    const results = await Promise.all([...lookups, ...byId]);
    expect(results.every((r) => r === order)).toBe(true);
    expect(reader.calls.getByUids).toBe(1);
    expect(reader.calls.getByIds).toBe(1);
    expect(metrics.reads.found.value).toBe(2);
    expect(metrics.lookups.database.value).toBe(70);
  });

  it('does not share a query between different keys', async () => {
    const { reader, readThrough } = setup();
    await Promise.all([readThrough.byUid('a'), readThrough.byUid('b'), readThrough.byUid('a')]);
    expect(reader.calls.getByUids).toBe(2);
  });

  it('caches a not-found briefly, counted from the query start', async () => {
    const { reader, readThrough, advance, metrics } = setup({ negativeTtlMs: 1000 });
    expect(await readThrough.byUid('ghost')).toBeUndefined();
    expect(readThrough.byUid('ghost')).toBeUndefined(); // synchronous: no query
    advance(999);
    expect(readThrough.byUid('ghost')).toBeUndefined();
    expect(reader.calls.getByUids).toBe(1);
    advance(1);
    expect(await readThrough.byUid('ghost')).toBeUndefined();
    expect(reader.calls.getByUids).toBe(2);
    expect(metrics.lookups.negative_cache.value).toBe(2);
    expect(metrics.lookups.not_found.value).toBe(2);
  });

  it('never hides an order stored after its not-found was cached', async () => {
    const { store, reader, readThrough } = setup({ negativeTtlMs: 60_000 });
    expect(await readThrough.byUid('late')).toBeUndefined();
    expect(await readThrough.byId(11)).toBeUndefined();
    // Ingest commits it to PostgreSQL and puts it in memory right after.
    const order = storedOrder(11, 'late');
    reader.add(order);
    store.put(order);
    expect(readThrough.byUid('late')).toBe(store.getByUid('late'));
    expect(readThrough.byId(11)).toBe(store.getById(11));
  });

  it('never hides an order stored while its not-found query was in flight', async () => {
    const { store, readThrough } = setup({ negativeTtlMs: 60_000 });
    const pending = readThrough.byUid('racing');
    store.put(storedOrder(12, 'racing'));
    expect(await pending).toBeUndefined(); // the query's snapshot predates the order
    expect(readThrough.byUid('racing')).toBe(store.getByUid('racing'));
  });

  it('bounds the not-found cache, dropping the oldest entries', async () => {
    const { reader, readThrough } = setup({ negativeMaxEntries: 2 });
    for (const uid of ['n1', 'n2', 'n3']) await readThrough.byUid(uid);
    expect(reader.calls.getByUids).toBe(3);
    readThrough.byUid('n2');
    readThrough.byUid('n3');
    expect(reader.calls.getByUids).toBe(3); // still cached
    await readThrough.byUid('n1'); // evicted: asks again
    expect(reader.calls.getByUids).toBe(4);
  });

  it('turns reader failures into ApiError unavailable, never cached', async () => {
    const { reader, readThrough, metrics } = setup();
    reader.fail(new Error('connection refused'));
    const failure = await Promise.resolve(readThrough.byUid('x')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'unavailable', retryAfter: 1 });
    reader.fail(undefined);
    const order = storedOrder(3, 'x');
    reader.add(order);
    expect(await readThrough.byUid('x')).toBe(order);
    expect(metrics.reads.error.value).toBe(1);
    expect(metrics.lookups.error.value).toBe(1);
  });

  it('treats a reader that throws synchronously like one that rejects', async () => {
    const { reader, readThrough } = setup({ maxQueries: 1 });
    reader.getByUids = () => {
      throw new Error('sync');
    };
    for (let i = 0; i < 3; i++) {
      const failure = await Promise.resolve(readThrough.byUid(`s${i}`)).catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: 'unavailable', message: 'order storage unavailable' });
    }
  });

  it('fails every waiter of a shared query that fails', async () => {
    const { reader, readThrough } = setup();
    const release = reader.hold();
    reader.fail(new Error('boom'));
    const waiters = Array.from({ length: 5 }, () => Promise.resolve(readThrough.byId(5)));
    release();
    const results = await Promise.allSettled(waiters);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(reader.calls.getByIds).toBe(1);
  });

  it('times out a reader that does not answer', async () => {
    const { reader, readThrough } = setup({ timeoutMs: 20 });
    reader.hold(); // never released
    const failure = await Promise.resolve(readThrough.byUid('slow')).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'unavailable' });
  });

  it('batches misses for different keys that arrive while the query slots are busy', async () => {
    const { reader, readThrough, metrics } = setup({ maxQueries: 2, maxBatchKeys: 3 });
    for (let i = 1; i <= 9; i += 2) reader.add(storedOrder(i, `k${i}`));
    const release = reader.hold();
    const lookups = Array.from({ length: 9 }, (_, i) => readThrough.byUid(`k${i + 1}`));
    const again = readThrough.byUid('k5'); // single flight: not a second key in the queue
    expect(reader.batches.uids).toEqual([['k1'], ['k2']]); // a free slot sends a key at once
    release();
    const results = await Promise.all([...lookups, again]);
    expect(results.map((o) => o?.uid)).toEqual([
      'k1',
      undefined,
      'k3',
      undefined,
      'k5',
      undefined,
      'k7',
      undefined,
      'k9',
      'k5',
    ]);
    // the 7 keys that waited went out together, at most maxBatchKeys per query
    expect(reader.batches.uids).toEqual([
      ['k1'],
      ['k2'],
      ['k3', 'k4', 'k5'],
      ['k6', 'k7', 'k8'],
      ['k9'],
    ]);
    expect(metrics.readQueryKeys.labels().count).toBe(5);
    expect(metrics.readQueryKeys.labels().sum).toBe(9);
    expect(metrics.reads.found.value).toBe(5);
    expect(metrics.reads.not_found.value).toBe(4);
    // the not-founds of a batch are cached like single ones
    expect(readThrough.byUid('k2')).toBeUndefined();
    expect(reader.calls.getByUids).toBe(5);
  });

  it('shares the query slots between uids and ids, taking the kinds in turn', async () => {
    const { reader, readThrough } = setup({ maxQueries: 1 });
    reader.add(storedOrder(5, 'five'));
    const release = reader.hold();
    const first = readThrough.byUid('u0');
    const ids = [readThrough.byId(5), readThrough.byId(6)];
    const uids = [readThrough.byUid('u1'), readThrough.byUid('five')];
    expect(reader.calls).toMatchObject({ getByUids: 1, getByIds: 0 });
    release();
    const [, five, six] = await Promise.all([first, ...ids, ...uids]);
    expect(five?.uid).toBe('five');
    expect(six).toBeUndefined();
    expect(reader.batches).toEqual({ uids: [['u0'], ['u1', 'five']], ids: [[5, 6]] });
  });

  it('times out a key that waits too long for a slot, and drops it from the queue', async () => {
    const { reader, readThrough, metrics } = setup({
      maxQueries: 1,
      maxBatchKeys: 1,
      timeoutMs: 20,
    });
    const release = reader.hold(); // PostgreSQL answers nothing for now
    const [a, b, c] = ['a', 'b', 'c'].map((uid) =>
      Promise.resolve(readThrough.byUid(uid)).catch((e: unknown) => e),
    );
    // 'a' times out and gives its slot to 'b' (sent, times out too); 'c' waits behind 'b' until
    // its own deadline and leaves the queue without being sent
    for (const failure of [await a, await b, await c]) {
      expect(failure).toMatchObject({ code: 'unavailable', message: 'order storage unavailable' });
    }
    release();
    await new Promise((resolve) => setTimeout(resolve, 30)); // 'b''s slot comes back too
    expect(await readThrough.byUid('next')).toBeUndefined();
    expect(reader.batches.uids).toEqual([['a'], ['b'], ['next']]);
    expect(metrics.reads.error.value).toBe(3);
    expect(metrics.lookups.error.value).toBe(3);
  });

  it('gives the slot of a hung query back after the timeout, so reads resume', async () => {
    const { reader, readThrough } = setup({ maxQueries: 1, timeoutMs: 20 });
    reader.hold(); // never released: this query hangs
    const hung = await Promise.resolve(readThrough.byId(1)).catch((e: unknown) => e);
    expect(hung).toMatchObject({ code: 'unavailable' });
    reader.getByIds = async () => [storedOrder(2, 'two')];
    expect((await readThrough.byId(2))?.uid).toBe('two');
  });

  it('sheds misses beyond maxQueuedKeys waiting keys, at once', async () => {
    const { reader, readThrough, metrics } = setup({ maxQueries: 1, maxQueuedKeys: 2 });
    const release = reader.hold();
    const sent = readThrough.byUid('k1'); // running, not queued
    const queued = [readThrough.byUid('k2'), readThrough.byId(3)];
    const shed = await Promise.resolve(readThrough.byUid('k4')).catch((e: unknown) => e);
    expect(shed).toBeInstanceOf(ApiError);
    expect(shed).toMatchObject({
      code: 'unavailable',
      retryAfter: 1,
      message: 'too many storage reads waiting',
    });
    const joined = readThrough.byUid('k2'); // joining an existing read is not a new key
    release();
    await Promise.all([sent, ...queued, joined]);
    expect(reader.batches).toEqual({ uids: [['k1'], ['k2']], ids: [[3]] });
    expect(metrics.reads.error.value).toBe(1);
    expect(await readThrough.byUid('k4')).toBeUndefined(); // room again
  });

  it('fails every key of a batch whose query fails, and caches none of them', async () => {
    const { reader, readThrough } = setup({ maxQueries: 1 });
    const release = reader.hold();
    const first = readThrough.byUid('a');
    reader.fail(new Error('connection terminated'));
    const batch = ['b', 'c', 'd'].map((uid) => Promise.resolve(readThrough.byUid(uid)));
    release();
    await Promise.allSettled([first]);
    const settled = await Promise.allSettled(batch);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    reader.fail(undefined);
    reader.add(storedOrder(4, 'd'));
    expect((await readThrough.byUid('d'))?.id).toBe(4);
  });

  describe('recent', () => {
    it('uses memory when it holds at least limit orders', async () => {
      const { store, reader, readThrough } = setup();
      for (let i = 1; i <= 5; i++) store.put(storedOrder(i, `m${i}`));
      const { orders, source } = await readThrough.recent(3);
      expect(source).toBe('memory');
      expect(orders.map((o) => o.id)).toEqual([5, 4, 3]);
      expect(reader.calls.recent).toBe(0);
    });

    it('asks PostgreSQL when memory holds fewer, and falls back to memory if it fails', async () => {
      const { store, reader, readThrough, advance } = setup();
      store.put(storedOrder(2, 'm2'));
      for (let i = 1; i <= 4; i++) reader.add(storedOrder(i, `m${i}`));
      const first = await readThrough.recent(3);
      expect(first.source).toBe('database');
      expect(first.orders.map((o) => o.id)).toEqual([4, 3, 2]);
      advance(1000); // past the reuse of that list
      reader.fail(new Error('down'));
      const fallback = await readThrough.recent(3);
      expect(fallback.source).toBe('memory');
      expect(fallback.orders.map((o) => o.id)).toEqual([2]);
      expect(reader.calls.recent).toBe(2);
    });

    it('answers summaries, the same from memory and from PostgreSQL', async () => {
      const { store, reader, readThrough } = setup();
      const order = storedOrder(7, 'both');
      reader.add(order);
      const fromDb = await readThrough.recent(1);
      store.put(order);
      const fromMemory = await readThrough.recent(1);
      expect([fromDb.source, fromMemory.source]).toEqual(['database', 'memory']);
      expect(fromMemory.orders).toEqual(fromDb.orders);
      expect(Object.keys(fromDb.orders[0] ?? {}).sort()).toEqual([
        'amount',
        'currency',
        'customer_id',
        'date_created',
        'id',
        'items',
        'order_uid',
        'track_number',
      ]);
    });

    it('shares queries among concurrent requests and reuses a list for recentTtlMs', async () => {
      const { reader, readThrough, advance } = setup({ recentTtlMs: 500 });
      for (let i = 1; i <= 30; i++) reader.add(storedOrder(i, `d${i}`));
      const release = reader.hold();
      // limits 1–20: the first query is for 1; the 99 others share the next, for 20
      const crowd = Array.from({ length: 100 }, (_, i) => readThrough.recent(1 + (i % 20)));
      release();
      const lists = await Promise.all(crowd);
      expect(reader.recentArgs.map((r) => r.limit)).toEqual([1, 20]);
      expect(lists.every((l, i) => l.orders.length === 1 + (i % 20))).toBe(true);
      expect(lists.every((l) => l.source === 'database')).toBe(true);
      advance(499);
      await readThrough.recent(20);
      await readThrough.recent(7);
      expect(reader.calls.recent).toBe(2);
      advance(1);
      await readThrough.recent(20);
      expect(reader.calls.recent).toBe(3);
    });

    it('merges the newer orders memory holds into a reused list', async () => {
      const { store, reader, readThrough, advance } = setup();
      for (let i = 1; i <= 4; i++) reader.add(storedOrder(i, `m${i}`));
      store.put(storedOrder(3, 'm3'));
      expect((await readThrough.recent(3)).orders.map((o) => o.id)).toEqual([4, 3, 2]);
      store.put(storedOrder(5, 'm5')); // ingested after that list was read
      advance(100);
      const merged = await readThrough.recent(3);
      expect(reader.calls.recent).toBe(1);
      expect(merged.source).toBe('database');
      expect(merged.orders.map((o) => o.id)).toEqual([5, 4, 3]);
    });

    it('falls back to memory at the timeout and aborts the query', async () => {
      const { store, reader, readThrough } = setup({ timeoutMs: 20 });
      store.put(storedOrder(1, 'm1'));
      store.put(storedOrder(2, 'm2'));
      const release = reader.hold();
      const started = performance.now();
      const answer = await readThrough.recent(10);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(answer.source).toBe('memory');
      expect(answer.orders.map((o) => o.id)).toEqual([2, 1]);
      expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(true);
      release();
    });

    it('stops waiting when the request goes away', async () => {
      const { store, reader, readThrough } = setup();
      store.put(storedOrder(1, 'm1'));
      const release = reader.hold();
      const gone = new AbortController();
      const answer = readThrough.recent(10, gone.signal);
      gone.abort(new Error('client closed'));
      expect((await answer).orders.map((o) => o.id)).toEqual([1]);
      expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(true);
      release();
    });
  });
});
