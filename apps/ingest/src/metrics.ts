// Ingest metrics, registered on the API's Prometheus registry (one /metrics for the process).
// The registry is typed structurally here so ingest depends on its shape, not its module layout.
import type { OrderStore } from '@orders/store';

type Child = { inc(amount?: number): void };
type GaugeChild = { set(value: number): void };
type MetricOptions = {
  name: string;
  help: string;
  labelNames?: readonly string[];
  collect?: (set: (value: number, ...labelValues: string[]) => void) => void;
};
export type MetricsRegistry = {
  counter(o: MetricOptions): Child & { labels(...v: string[]): Child };
  gauge(o: MetricOptions): GaugeChild & { labels(...v: string[]): GaugeChild };
  histogram(o: Omit<MetricOptions, 'collect'> & { buckets: readonly number[] }): {
    observe?(v: number): void;
    labels(...v: string[]): { observe(v: number): void };
  };
};

export type BatchFigures = {
  size: number;
  durationMs: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** redeliveries skipped by the version guard + versions superseded within the batch */
  duplicates: number;
  invalid: { reason: string }[];
  deadLettered: number;
};

/** Plain running totals, also what tests and the benchmark read. */
export type IngestTotals = {
  batches: number;
  messages: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  invalid: number;
  deadLettered: number;
  retries: number;
};

export type IngestMetrics = {
  totals: IngestTotals;
  batch(f: BatchFigures): void;
  retry(kind: 'postgres' | 'dead_letters'): void;
  lag(partitions: { partition: number; lag: number }[]): void;
};

export type IngestMetricsOptions = {
  registry?: MetricsRegistry;
  store?: OrderStore;
  /** epoch-ms of the last successful DB write, for freshness alerts */
  topic?: string;
};

export function createIngestMetrics(options: IngestMetricsOptions = {}): IngestMetrics {
  const totals: IngestTotals = {
    batches: 0,
    messages: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    invalid: 0,
    deadLettered: 0,
    retries: 0,
  };
  const r = options.registry;
  const lagByPartition = new Map<number, number>();
  if (!r) {
    return {
      totals,
      batch: (f) => addTotals(totals, f),
      retry: () => {
        totals.retries++;
      },
      lag: (parts) => {
        for (const p of parts) lagByPartition.set(p.partition, p.lag);
      },
    };
  }

  const ingested = r.counter({
    name: 'orders_ingested_total',
    help: 'Orders written to PostgreSQL, by result (inserted, updated, unchanged).',
    labelNames: ['result'],
  });
  const ingestedInserted = ingested.labels('inserted');
  const ingestedUpdated = ingested.labels('updated');
  const ingestedUnchanged = ingested.labels('unchanged');
  const invalid = r.counter({
    name: 'orders_invalid_total',
    help: 'Messages rejected by validation, by reason.',
    labelNames: ['reason'],
  });
  const deadLettered = r.counter({
    name: 'orders_dead_lettered_total',
    help: 'Messages published to the dead-letter topic.',
  });
  const duplicates = r.counter({
    name: 'orders_duplicate_deliveries_total',
    help: 'Deliveries absorbed without a write: redeliveries, older replays, superseded in-batch.',
  });
  const retries = r.counter({
    name: 'orders_ingest_retries_total',
    help: 'Batch write attempts that failed transiently and were retried, by sink.',
    labelNames: ['sink'],
  });
  const batchSize = r.histogram({
    name: 'orders_batch_size',
    help: 'Messages per consumed batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
  });
  const batchSizeChild = batchSize.labels();
  const batchSeconds = r.histogram({
    name: 'orders_batch_duration_seconds',
    help: 'Time to process one batch: validate, write, dead-letter, store, commit.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const batchSecondsChild = batchSeconds.labels();
  r.gauge({
    name: 'orders_consumer_lag',
    help: 'Messages behind the high watermark per partition (admin offsets, sampled).',
    labelNames: ['partition'],
    collect: (set) => {
      for (const [p, lag] of lagByPartition) set(lag, String(p));
    },
  });
  const store = options.store;
  if (store) {
    r.gauge({
      name: 'orders_store_orders',
      help: 'Orders held in memory.',
      collect: (set) => set(store.stats().count),
    });
    r.gauge({
      name: 'orders_store_bytes',
      help: 'Canonical JSON bytes held in memory.',
      collect: (set) => set(store.stats().bytes),
    });
    r.gauge({
      name: 'orders_store_evictions',
      help: 'Orders evicted from memory (still in PostgreSQL), by cause.',
      labelNames: ['cause'],
      collect: (set) => {
        const s = store.stats();
        set(s.evictedByCount, 'count');
        set(s.evictedByBytes, 'bytes');
        set(s.expired, 'age');
      },
    });
  }

  return {
    totals,
    batch(f) {
      addTotals(totals, f);
      ingestedInserted.inc(f.inserted);
      ingestedUpdated.inc(f.updated);
      ingestedUnchanged.inc(f.unchanged);
      duplicates.inc(f.duplicates);
      deadLettered.inc(f.deadLettered);
      for (const i of f.invalid) invalid.labels(i.reason).inc();
      batchSizeChild.observe(f.size);
      batchSecondsChild.observe(f.durationMs / 1000);
    },
    retry(kind) {
      totals.retries++;
      retries.labels(kind).inc();
    },
    lag(parts) {
      for (const p of parts) lagByPartition.set(p.partition, p.lag);
    },
  };
}

function addTotals(t: IngestTotals, f: BatchFigures): void {
  t.batches++;
  t.messages += f.size;
  t.inserted += f.inserted;
  t.updated += f.updated;
  t.unchanged += f.unchanged;
  t.duplicates += f.duplicates;
  t.invalid += f.invalid.length;
  t.deadLettered += f.deadLettered;
}
