import type { OrderStore, StoredOrder } from '@orders/store';
import type { OrderReader, ReadThroughTuning } from './deps.ts';
import { ApiError } from './http-error.ts';
import type { Metrics } from './metrics/index.ts';

/** A memory hit (or a cached not-found) answers synchronously; a miss answers with a promise. */
export type Lookup = StoredOrder | undefined | Promise<StoredOrder | undefined>;

export type ReadThrough = {
  byUid(uid: string): Lookup;
  byId(id: number): Lookup;
  /** The newest orders for the page's list; see `recent` below for where they come from. */
  recent(limit: number): Promise<{ orders: StoredOrder[]; source: 'memory' | 'database' }>;
};

export type ReadThroughOptions = ReadThroughTuning & {
  store: Pick<OrderStore, 'getByUid' | 'getById' | 'recent'>;
  reader: OrderReader;
  metrics?: Pick<Metrics, 'lookups' | 'queries'>;
  now?: () => number;
};

export const READ_THROUGH_DEFAULTS = {
  negativeTtlMs: 1000,
  negativeMaxEntries: 10_000,
  timeoutMs: 2000,
  maxInFlight: 256,
} as const;

/**
 * Memory first, then PostgreSQL.
 *
 * - Single flight: concurrent misses for one key share one reader query.
 * - Negative cache: a key PostgreSQL did not have is answered "not found" without a query for
 *   `negativeTtlMs`, counted from when that query *started* (so it never outlives the snapshot it
 *   saw by more than the TTL), in a bounded map (oldest dropped first).
 * - It cannot hide an order ingested after the 404: memory is always checked first, and ingest
 *   puts every order into this process's store right after its PostgreSQL commit. Only an order
 *   consumed by *another* instance can stay hidden, for at most `negativeTtlMs`.
 * - Reader results are not put into the store: the store holds what this process consumed or
 *   restored (its limits, eviction order and gauges mean that), and a reader hit is one indexed
 *   query. Single flight already protects PostgreSQL from a crowd asking for one evicted order.
 * - A failing, slow (> `timeoutMs`) or saturated (> `maxInFlight` keys) reader fails the lookup
 *   with ApiError `unavailable` (503); failures are never cached.
 */
export function createReadThrough(options: ReadThroughOptions): ReadThrough {
  const { store, reader, metrics } = options;
  const now = options.now ?? Date.now;
  const negativeTtlMs = options.negativeTtlMs ?? READ_THROUGH_DEFAULTS.negativeTtlMs;
  const negativeMax = options.negativeMaxEntries ?? READ_THROUGH_DEFAULTS.negativeMaxEntries;
  const timeoutMs = options.timeoutMs ?? READ_THROUGH_DEFAULTS.timeoutMs;
  const maxInFlight = options.maxInFlight ?? READ_THROUGH_DEFAULTS.maxInFlight;
  let inFlight = 0;

  function query<K>(load: (key: K) => Promise<StoredOrder | undefined>, key: K) {
    if (inFlight >= maxInFlight) {
      metrics?.queries.error.inc();
      return Promise.reject(
        new ApiError('unavailable', 'too many storage reads in progress', { retryAfter: 1 }),
      );
    }
    let pending: Promise<StoredOrder | undefined>;
    try {
      pending = load(key);
    } catch (error) {
      pending = Promise.reject(error); // a reader that throws instead of rejecting
    }
    inFlight++;
    return withTimeout(pending, timeoutMs).then(
      (order) => {
        inFlight--;
        (order ? metrics?.queries.found : metrics?.queries.not_found)?.inc();
        return order;
      },
      (error: unknown) => {
        inFlight--;
        metrics?.queries.error.inc();
        throw new ApiError('unavailable', 'order storage unavailable', {
          retryAfter: 1,
          cause: error,
        });
      },
    );
  }

  function lane<K>(
    memory: (key: K) => StoredOrder | undefined,
    load: (key: K) => Promise<StoredOrder | undefined>,
  ): (key: K) => Lookup {
    const negative = new Map<K, number>();
    const flights = new Map<K, Promise<StoredOrder | undefined>>();

    const counted = (flight: Promise<StoredOrder | undefined>) =>
      flight.then(
        (order) => {
          (order ? metrics?.lookups.database : metrics?.lookups.not_found)?.inc();
          return order;
        },
        (error: unknown) => {
          metrics?.lookups.error.inc();
          throw error;
        },
      );

    return (key) => {
      const hit = memory(key);
      if (hit !== undefined) {
        metrics?.lookups.memory.inc();
        return hit;
      }
      const expires = negative.get(key);
      if (expires !== undefined) {
        if (expires > now()) {
          metrics?.lookups.negative_cache.inc();
          return undefined;
        }
        negative.delete(key);
      }
      const joined = flights.get(key);
      if (joined !== undefined) return counted(joined);

      const startedAt = now();
      const flight = query(load, key).then(
        (order) => {
          flights.delete(key);
          if (order === undefined && negativeTtlMs > 0 && negativeMax > 0) {
            if (negative.size >= negativeMax) {
              const oldest = negative.keys().next();
              if (!oldest.done) negative.delete(oldest.value);
            }
            negative.set(key, startedAt + negativeTtlMs);
          }
          return order;
        },
        (error: unknown) => {
          flights.delete(key);
          throw error;
        },
      );
      flights.set(key, flight);
      return counted(flight);
    };
  }

  const byUid = lane(
    (uid: string) => store.getByUid(uid),
    (uid: string) => reader.getByUid(uid),
  );
  const byId = lane(
    (id: number) => store.getById(id),
    (id: number) => reader.getById(id),
  );

  return {
    byUid,
    byId,
    /**
     * Memory when it holds at least `limit` orders (the usual case: it holds the newest ones this
     * process consumed); otherwise PostgreSQL, which holds everything memory does and more (after a
     * start without restore, or with few orders). If PostgreSQL fails, memory's list is the answer.
     */
    async recent(limit) {
      const fromMemory = store.recent(limit);
      if (fromMemory.length >= limit) return { orders: fromMemory, source: 'memory' };
      try {
        const fromDb = await withTimeout(reader.recent(limit), timeoutMs);
        if (fromDb.length > fromMemory.length) {
          return { orders: fromDb.slice(0, limit), source: 'database' };
        }
      } catch {
        // Degrade to what memory has; the lookup routes report PostgreSQL trouble as 503.
      }
      return { orders: fromMemory, source: 'memory' };
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0 && Number.isFinite(ms))) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reader timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
