// Ingest metrics: recorded on the process's shared metrics (@orders/api defines the families the
// API's /metrics and /stats read) plus a few ingest-only counters on the same registry.
import type { Metrics } from '@orders/api';

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
  /** the process's shared metrics (created by @orders/api's createMetrics) */
  shared?: Metrics;
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
  const m = options.shared;
  if (!m) {
    return {
      totals,
      batch: (f) => addTotals(totals, f),
      retry: () => {
        totals.retries++;
      },
      lag: () => {},
    };
  }
  const topic = options.topic ?? '';
  const r = m.registry;
  // Ingest-only figures beyond the shared families the API defines.
  const written = r.counter({
    name: 'orders_written_total',
    help: 'Upsert results: inserted (new uid), updated (newer content), unchanged (same bytes re-sent).',
    labelNames: ['result'],
  });
  const writtenInserted = written.labels('inserted');
  const writtenUpdated = written.labels('updated');
  const writtenUnchanged = written.labels('unchanged');
  const duplicates = r.counter({
    name: 'orders_duplicate_deliveries_total',
    help: 'Deliveries absorbed without a write: redeliveries, older replays, superseded in a batch.',
  });
  const retries = r.counter({
    name: 'orders_ingest_retries_total',
    help: 'Batch writes that failed transiently and were retried, by sink.',
    labelNames: ['sink'],
  });
  const batchSize = m.ingestBatchSize.labels();
  const batchSeconds = m.ingestBatchDuration.labels();

  return {
    totals,
    batch(f) {
      addTotals(totals, f);
      m.ordersIngested.inc(f.inserted + f.updated + f.unchanged);
      writtenInserted.inc(f.inserted);
      writtenUpdated.inc(f.updated);
      writtenUnchanged.inc(f.unchanged);
      duplicates.inc(f.duplicates);
      m.ordersDeadLettered.inc(f.deadLettered);
      for (const i of f.invalid) m.ordersInvalid.labels(i.reason).inc();
      batchSize.observe(f.size);
      batchSeconds.observe(f.durationMs / 1000);
    },
    retry(kind) {
      totals.retries++;
      retries.labels(kind).inc();
    },
    lag(parts) {
      for (const p of parts) m.consumerLag.labels(topic, String(p.partition)).set(p.lag);
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
