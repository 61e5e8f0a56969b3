// The API's own metric families (store, read-through, HTTP), on the process's registry of
// @orders/metrics; ingest registers its families on the same registry and `/metrics` renders it.

import { type CounterChild, createRegistry, type Histogram, type Registry } from '@orders/metrics';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '@orders/model';

/** What the store gauges read at scrape time (the shape of `OrderStore.stats()`). */
export type StoreStatsSource = {
  stats(): {
    count: number;
    bytes: number;
    evictedByCount: number;
    evictedByBytes: number;
    expired: number;
  };
};

/** How a lookup by key was answered (one count per HTTP lookup). */
export type LookupResult = 'memory' | 'database' | 'not_found' | 'negative_cache' | 'error';
/** How the read of one key from PostgreSQL ended (concurrent lookups of one key share a read). */
export type ReadResult = 'found' | 'not_found' | 'error';

const LOOKUP_RESULTS: readonly LookupResult[] = [
  'memory',
  'database',
  'not_found',
  'negative_cache',
  'error',
];
const READ_RESULTS: readonly ReadResult[] = ['found', 'not_found', 'error'];

/** The ingest figures `/stats` shows; ingest's metrics provide them (`snapshot()`). */
export type IngestFigures = {
  /** Valid orders written to PostgreSQL and the memory store. */
  ingested: number;
  /** Messages dead-lettered, by reason; every reason present (0 when none). */
  invalidByReason: Record<DeadLetterReason, number>;
  /** Messages written to the dead-letter topic. */
  deadLettered: number;
};

/** One read of the figures `/stats` shows, taken at the call. */
export type MetricsSnapshot = {
  ingest: IngestFigures;
  lookups: Record<LookupResult, number>;
};

export type ApiMetrics = {
  /** The process's registry: `/metrics` renders it whole (ingest's families included). */
  registry: Registry;
  lookups: Record<LookupResult, CounterChild>;
  reads: Record<ReadResult, CounterChild>;
  /** Keys per PostgreSQL query of the read-through (its count is the number of queries). */
  readQueryKeys: Histogram;
  /** Labels `route` (the route pattern, never the raw path) and `status`. */
  httpRequestDuration: Histogram;
  /** Read store count/bytes/evictions from this source at every scrape (last call wins). */
  trackStore(source: StoreStatsSource): void;
  /** The figures of `/stats`: ingest's (from `options.ingest`, zeros without it) and the lookups. */
  snapshot(): MetricsSnapshot;
};

const HTTP_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Zero figures, for an API without ingest (tests, the HTTP benchmark). */
export function noIngestFigures(): IngestFigures {
  const invalidByReason = {} as Record<DeadLetterReason, number>;
  for (const reason of DEAD_LETTER_REASONS) invalidByReason[reason] = 0;
  return { ingested: 0, invalidByReason, deadLettered: 0 };
}

/**
 * The API's families, registered on `options.registry` (the process's; a fresh one by default).
 * `options.ingest` is where `/stats` reads ingest's figures (ingest's `metrics.snapshot`).
 */
export function createApiMetrics(
  options: { registry?: Registry; ingest?: () => IngestFigures } = {},
): ApiMetrics {
  const registry = options.registry ?? createRegistry();
  const ingest = options.ingest ?? noIngestFigures;
  let store: StoreStatsSource | undefined;

  registry.gauge({
    name: 'orders_store_orders',
    help: 'Orders held in the memory store.',
    collect: (set) => {
      if (store) set(store.stats().count);
    },
  });
  registry.gauge({
    name: 'orders_store_bytes',
    help: 'Bytes of canonical JSON held in the memory store.',
    collect: (set) => {
      if (store) set(store.stats().bytes);
    },
  });
  registry.counter({
    name: 'orders_store_evictions_total',
    help: 'Orders dropped from memory (never from PostgreSQL), by cause.',
    labelNames: ['cause'],
    collect: (set) => {
      const stats = store?.stats();
      set(stats?.evictedByCount ?? 0, 'count');
      set(stats?.evictedByBytes ?? 0, 'bytes');
      set(stats?.expired ?? 0, 'age');
    },
  });

  const lookupCounter = registry.counter({
    name: 'orders_read_through_lookups_total',
    help: 'Order lookups by key, by where the answer came from.',
    labelNames: ['result'],
  });
  const lookups = {} as Record<LookupResult, CounterChild>;
  for (const result of LOOKUP_RESULTS) lookups[result] = lookupCounter.labels(result);
  const readCounter = registry.counter({
    name: 'orders_read_through_reads_total',
    help: 'Keys read from PostgreSQL after a memory miss, by result (concurrent lookups of one key share a read).',
    labelNames: ['result'],
  });
  const reads = {} as Record<ReadResult, CounterChild>;
  for (const result of READ_RESULTS) reads[result] = readCounter.labels(result);
  const readQueryKeys = registry.histogram({
    name: 'orders_read_through_query_keys',
    help: 'Keys per PostgreSQL query of the read-through (misses that wait for a slot go out together).',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
  });

  const httpRequestDuration = registry.histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route pattern and status.',
    labelNames: ['route', 'status'],
    buckets: HTTP_BUCKETS,
  });

  return {
    registry,
    lookups,
    reads,
    readQueryKeys,
    httpRequestDuration,
    trackStore(source) {
      store = source;
    },
    snapshot() {
      const counts = {} as Record<LookupResult, number>;
      for (const result of LOOKUP_RESULTS) counts[result] = lookups[result].value;
      return { ingest: ingest(), lookups: counts };
    },
  };
}
