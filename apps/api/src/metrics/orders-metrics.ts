import type { Counter, CounterChild } from './counter.ts';
import type { Gauge } from './gauge.ts';
import type { Histogram } from './histogram.ts';
import { createRegistry, type Registry } from './registry.ts';

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

/** The decode reasons of @orders/model, pre-created so every reason shows up as 0 from the start. */
export const INVALID_REASONS = ['empty', 'too_large', 'not_json', 'not_object', 'invalid_order'];

/** How a lookup by key was answered (one count per HTTP lookup). */
export type LookupResult = 'memory' | 'database' | 'not_found' | 'negative_cache' | 'error';
/** How the read of one key from PostgreSQL ended (concurrent lookups of one key share a read). */
export type ReadResult = 'found' | 'not_found' | 'error';

export type Metrics = {
  registry: Registry;
  /** Valid orders written to PostgreSQL and the store. */
  ordersIngested: Counter;
  /** Rejected messages, label `reason` (a RejectReason of @orders/model). */
  ordersInvalid: Counter;
  /** Messages written to the dead-letter topic. */
  ordersDeadLettered: Counter;
  /** Messages per processed batch. */
  ingestBatchSize: Histogram;
  /** Seconds from a batch's arrival to its offsets being committed. */
  ingestBatchDuration: Histogram;
  /** Messages behind the high watermark, labels `topic`, `partition` (set by ingest). */
  consumerLag: Gauge;
  lookups: Record<LookupResult, CounterChild>;
  reads: Record<ReadResult, CounterChild>;
  /** Keys per PostgreSQL query of the read-through (its count is the number of queries). */
  readQueryKeys: Histogram;
  /** Labels `route` (the route pattern, never the raw path) and `status`. */
  httpRequestDuration: Histogram;
  /** Read store count/bytes/evictions from this source at every scrape (last call wins). */
  trackStore(source: StoreStatsSource): void;
  render(): string;
};

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HTTP_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/**
 * The service's metrics in one registry, shared by ingest (which records the pipeline) and the API
 * (which serves `/metrics` and records HTTP and read-through). Create one per process.
 */
export function createMetrics(options: { now?: () => number } = {}): Metrics {
  const now = options.now ?? Date.now;
  const registry = createRegistry();
  let store: StoreStatsSource | undefined;

  const ordersIngested = registry.counter({
    name: 'orders_ingested_total',
    help: 'Valid orders written to PostgreSQL and the memory store.',
  });
  const ordersInvalid = registry.counter({
    name: 'orders_invalid_total',
    help: 'Messages rejected by validation, by reason.',
    labelNames: ['reason'],
  });
  for (const reason of INVALID_REASONS) ordersInvalid.labels(reason);
  const ordersDeadLettered = registry.counter({
    name: 'orders_dead_lettered_total',
    help: 'Messages written to the dead-letter topic.',
  });
  const ingestBatchSize = registry.histogram({
    name: 'orders_ingest_batch_size',
    help: 'Messages per processed batch.',
    buckets: BATCH_SIZE_BUCKETS,
  });
  const ingestBatchDuration = registry.histogram({
    name: 'orders_ingest_batch_duration_seconds',
    help: 'Time to handle one batch (decode, PostgreSQL and dead-letter writes, retries) before its offset commit.',
    buckets: SECONDS_BUCKETS,
  });
  const consumerLag = registry.gauge({
    name: 'orders_consumer_lag',
    help: 'Messages between the committed offset and the high watermark, per partition.',
    labelNames: ['topic', 'partition'],
  });

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
  const lookups: Record<LookupResult, CounterChild> = {
    memory: lookupCounter.labels('memory'),
    database: lookupCounter.labels('database'),
    not_found: lookupCounter.labels('not_found'),
    negative_cache: lookupCounter.labels('negative_cache'),
    error: lookupCounter.labels('error'),
  };
  const readCounter = registry.counter({
    name: 'orders_read_through_reads_total',
    help: 'Keys read from PostgreSQL after a memory miss, by result (concurrent lookups of one key share a read).',
    labelNames: ['result'],
  });
  const reads: Record<ReadResult, CounterChild> = {
    found: readCounter.labels('found'),
    not_found: readCounter.labels('not_found'),
    error: readCounter.labels('error'),
  };
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

  const startSeconds = now() / 1000;
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    collect: (set) => set(startSeconds),
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident set size, in bytes.',
    collect: (set) => set(process.memoryUsage.rss()),
  });
  registry.gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: (set) => set(process.memoryUsage().heapUsed),
  });

  return {
    registry,
    ordersIngested,
    ordersInvalid,
    ordersDeadLettered,
    ingestBatchSize,
    ingestBatchDuration,
    consumerLag,
    lookups,
    reads,
    readQueryKeys,
    httpRequestDuration,
    trackStore(source) {
      store = source;
    },
    render: () => registry.render(),
  };
}
