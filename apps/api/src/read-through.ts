import type { OrderStore, StoredOrder } from '@orders/store';
import type { ApiMetrics } from './api-metrics.ts';
import { createBatchReads, ReadFailure, type ReadLane } from './batch-reads.ts';
import type { OrderReader, ReadThroughTuning } from './deps.ts';
import { ApiError } from './http-error.ts';
import { type OrderSummary, summarize } from './order-summary.ts';
import { createRecentReads } from './recent-reads.ts';

/** A memory hit (or a cached not-found) answers synchronously; a miss answers with a promise. */
export type Lookup = StoredOrder | undefined | Promise<StoredOrder | undefined>;

export type ReadThrough = {
  byUid(uid: string): Lookup;
  byId(id: number): Lookup;
  /**
   * The newest orders' summaries for the page's list; see `recent` below for where they come
   * from. `signal`: the request's (aborted when its client goes away).
   */
  recent(
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ orders: OrderSummary[]; source: 'memory' | 'database' }>;
};

export type ReadThroughOptions = ReadThroughTuning & {
  store: Pick<OrderStore, 'getByUid' | 'getById' | 'recent'>;
  reader: OrderReader;
  metrics?: Pick<ApiMetrics, 'lookups' | 'reads' | 'readQueryKeys'>;
  now?: () => number;
};

export const READ_THROUGH_DEFAULTS = {
  negativeTtlMs: 1000,
  negativeMaxEntries: 10_000,
  timeoutMs: 2000,
  maxQueries: 2,
  maxBatchKeys: 100,
  maxQueuedKeys: 10_000,
  recentTtlMs: 1000,
} as const;

/**
 * Memory first, then PostgreSQL.
 *
 * - Single flight: concurrent misses for one key share one read.
 * - Batching: misses for different keys that arrive while `maxQueries` queries are running wait,
 *   and go out together (up to `maxBatchKeys` per query) when a query ends; with a slot free a miss
 *   goes out at once. A crowd of misses thus costs a few queries and at most `maxQueries` pool
 *   connections (the pool is shared with ingest's writers). See batch-reads.ts.
 * - Negative cache: a key PostgreSQL did not have is answered "not found" without a query for
 *   `negativeTtlMs`, counted from when the lookup that started the read asked (at or before the
 *   query's start, so it never outlives the snapshot it saw by more than the TTL), in a bounded
 *   map (oldest dropped first).
 * - It cannot hide an order ingested after the 404: memory is always checked first, and ingest
 *   puts every order into this process's store right after its PostgreSQL commit. Only an order
 *   consumed by *another* instance can stay hidden, for at most `negativeTtlMs`.
 * - Reader results are not put into the store: the store holds what this process consumed or
 *   restored (its limits, eviction order and gauges mean that), and a reader hit is one indexed
 *   probe. Single flight already protects PostgreSQL from a crowd asking for one evicted order.
 * - A failing reader, a read not answered within `timeoutMs` (waiting for a slot plus the query),
 *   or a backlog of more than `maxQueuedKeys` waiting keys (one PostgreSQL could not clear within
 *   the timeout anyway) fails the lookup with ApiError `unavailable` (503); failures are never
 *   cached.
 */
export function createReadThrough(options: ReadThroughOptions): ReadThrough {
  const { store, reader, metrics } = options;
  const now = options.now ?? Date.now;
  const negativeTtlMs = options.negativeTtlMs ?? READ_THROUGH_DEFAULTS.negativeTtlMs;
  const negativeMax = options.negativeMaxEntries ?? READ_THROUGH_DEFAULTS.negativeMaxEntries;
  const timeoutMs = options.timeoutMs ?? READ_THROUGH_DEFAULTS.timeoutMs;
  const reads = createBatchReads({
    maxQueries: Math.max(1, options.maxQueries ?? READ_THROUGH_DEFAULTS.maxQueries),
    maxBatchKeys: Math.max(1, options.maxBatchKeys ?? READ_THROUGH_DEFAULTS.maxBatchKeys),
    maxQueuedKeys: options.maxQueuedKeys ?? READ_THROUGH_DEFAULTS.maxQueuedKeys,
    timeoutMs,
    ...(metrics ? { onQuery: (keys: number) => metrics.readQueryKeys.observe(keys) } : {}),
  });
  const recentReads = createRecentReads({
    reader,
    timeoutMs,
    ttlMs: options.recentTtlMs ?? READ_THROUGH_DEFAULTS.recentTtlMs,
    now,
  });

  function read<K>(load: ReadLane<K>, key: K): Promise<StoredOrder | undefined> {
    return load(key).then(
      (order) => {
        (order ? metrics?.reads.found : metrics?.reads.not_found)?.inc();
        return order;
      },
      (error: unknown) => {
        metrics?.reads.error.inc();
        const shed = error instanceof ReadFailure && error.code === 'shed';
        throw new ApiError(
          'unavailable',
          shed ? 'too many storage reads waiting' : 'order storage unavailable',
          { retryAfter: 1, cause: error },
        );
      },
    );
  }

  function lane<K>(
    memory: (key: K) => StoredOrder | undefined,
    load: ReadLane<K>,
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
      const flight = read(load, key).then(
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
    reads.lane(
      (uids: string[]) => reader.getByUids(uids),
      (order) => order.uid,
    ),
  );
  const byId = lane(
    (id: number) => store.getById(id),
    reads.lane(
      (ids: number[]) => reader.getByIds(ids),
      (order) => order.id,
    ),
  );

  return {
    byUid,
    byId,
    /**
     * Memory when it holds at least `limit` orders (the usual case: it holds the newest ones this
     * process consumed); otherwise PostgreSQL's summaries (recent-reads.ts: one query at a time,
     * shared and reused for `recentTtlMs`, cancelled at `timeoutMs`), merged with what memory
     * holds, which may be newer than a reused list. If PostgreSQL fails or times out, memory's list
     * is the answer.
     */
    async recent(limit, signal) {
      const first = store.recent(limit);
      if (first.length >= limit) return { orders: first.map(summarize), source: 'memory' };
      let fromDb: OrderSummary[];
      try {
        fromDb = await recentReads.read(limit, signal);
      } catch {
        // Degrade to what memory has; the lookup routes report PostgreSQL trouble as 503.
        return { orders: store.recent(limit).map(summarize), source: 'memory' };
      }
      return newest(store.recent(limit).map(summarize), fromDb, limit);
    },
  };
}

/**
 * Memory's summaries with PostgreSQL's, newest (highest id) first, at most `limit`; memory's win
 * for an id in both (an order keeps its id across versions, and memory's version is never older).
 */
function newest(
  memory: OrderSummary[],
  database: OrderSummary[],
  limit: number,
): { orders: OrderSummary[]; source: 'memory' | 'database' } {
  const inMemory = new Set<number>();
  for (const s of memory) inMemory.add(s.id);
  const extra = database.filter((s) => !inMemory.has(s.id));
  if (extra.length === 0) return { orders: memory, source: 'memory' };
  const orders = [...memory, ...extra].sort((a, b) => b.id - a.id).slice(0, limit);
  const source = orders.some((s) => !inMemory.has(s.id)) ? 'database' : 'memory';
  return { orders, source };
}
