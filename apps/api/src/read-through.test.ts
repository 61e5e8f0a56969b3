import { createOrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { ApiError } from './http-error.ts';
import { createMetrics } from './metrics/index.ts';
import { createReadThrough, type ReadThroughOptions } from './read-through.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';

function setup(options: Partial<ReadThroughOptions> = {}) {
  const store = createOrderStore({ maxOrders: 100, maxBytes: Infinity, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const metrics = createMetrics();
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
    expect(reader.calls).toEqual({ getByUid: 0, getById: 0, recent: 0 });
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
    expect(metrics.queries.found.value).toBe(2);
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
    expect(reader.calls.getByUid).toBe(1);
    expect(reader.calls.getById).toBe(1);
    expect(metrics.queries.found.value).toBe(2);
    expect(metrics.lookups.database.value).toBe(70);
  });

  it('does not share a query between different keys', async () => {
    const { reader, readThrough } = setup();
    await Promise.all([readThrough.byUid('a'), readThrough.byUid('b'), readThrough.byUid('a')]);
    expect(reader.calls.getByUid).toBe(2);
  });

  it('caches a not-found briefly, counted from the query start', async () => {
    const { reader, readThrough, advance, metrics } = setup({ negativeTtlMs: 1000 });
    expect(await readThrough.byUid('ghost')).toBeUndefined();
    expect(readThrough.byUid('ghost')).toBeUndefined(); // synchronous: no query
    advance(999);
    expect(readThrough.byUid('ghost')).toBeUndefined();
    expect(reader.calls.getByUid).toBe(1);
    advance(1);
    expect(await readThrough.byUid('ghost')).toBeUndefined();
    expect(reader.calls.getByUid).toBe(2);
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
    expect(reader.calls.getByUid).toBe(3);
    readThrough.byUid('n2');
    readThrough.byUid('n3');
    expect(reader.calls.getByUid).toBe(3); // still cached
    await readThrough.byUid('n1'); // evicted: asks again
    expect(reader.calls.getByUid).toBe(4);
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
    expect(metrics.queries.error.value).toBe(1);
    expect(metrics.lookups.error.value).toBe(1);
  });

  it('treats a reader that throws synchronously like one that rejects', async () => {
    const { reader, readThrough } = setup({ maxInFlight: 1 });
    reader.getByUid = () => {
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
    expect(reader.calls.getById).toBe(1);
  });

  it('times out a reader that does not answer', async () => {
    const { reader, readThrough } = setup({ timeoutMs: 20 });
    reader.hold(); // never released
    const failure = await Promise.resolve(readThrough.byUid('slow')).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'unavailable' });
  });

  it('sheds misses beyond maxInFlight distinct keys with unavailable', async () => {
    const { reader, readThrough } = setup({ maxInFlight: 2 });
    const release = reader.hold();
    const a = readThrough.byUid('k1');
    const b = readThrough.byUid('k2');
    const shed = await Promise.resolve(readThrough.byUid('k3')).catch((e: unknown) => e);
    expect(shed).toMatchObject({ code: 'unavailable' });
    const joined = readThrough.byUid('k1'); // joining an existing flight is not a new query
    release();
    await Promise.all([a, b, joined]);
    expect(reader.calls.getByUid).toBe(2);
    expect(await readThrough.byUid('k4')).toBeUndefined(); // capacity is back
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
      const { store, reader, readThrough } = setup();
      store.put(storedOrder(2, 'm2'));
      for (let i = 1; i <= 4; i++) reader.add(storedOrder(i, `m${i}`));
      expect((await readThrough.recent(3)).orders.map((o) => o.id)).toEqual([4, 3, 2]);
      reader.fail(new Error('down'));
      const fallback = await readThrough.recent(3);
      expect(fallback.source).toBe('memory');
      expect(fallback.orders.map((o) => o.id)).toEqual([2]);
    });
  });
});
