// Ingest metrics: recorded on the process's shared metrics (@orders/api defines the families the
// API's /metrics and /stats read) plus a few ingest-only counters on the same registry.
import type { Metrics } from '@orders/api';
import type { PublishOutcome } from './dead-letters.ts';

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
  /** dead letters published cut to fit the DLQ topic's limit */
  deadLettersCut: number;
  /** dead letters the DLQ topic refused in every form (logged, not published) */
  deadLettersUnpublishable: number;
};

export type IngestMetrics = {
  totals: IngestTotals;
  batch(f: BatchFigures): void;
  retry(kind: 'postgres' | 'dead_letters'): void;
  deadLetters(outcome: PublishOutcome): void;
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
    deadLettersCut: 0,
    deadLettersUnpublishable: 0,
  };
  const countLetters = (o: PublishOutcome) => {
    for (const n of Object.values(o.cut)) totals.deadLettersCut += n;
    totals.deadLettersUnpublishable += o.unpublishable.length;
  };
  const m = options.shared;
  if (!m) {
    return {
      totals,
      batch: (f) => addTotals(totals, f),
      retry: () => {
        totals.retries++;
      },
      deadLetters: countLetters,
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
  const lettersCut = r.counter({
    name: 'orders_dead_letters_cut_total',
    help: "Dead letters published cut to fit the dead-letter topic's max.message.bytes, by what gave way (value, original_headers, key).",
    labelNames: ['gave_way'],
  });
  for (const g of ['value', 'original_headers', 'key']) lettersCut.labels(g);
  const unpublishable = r.counter({
    name: 'orders_dead_letters_unpublishable_total',
    help: 'Invalid messages the dead-letter topic refused in every form: logged with their source offsets, not published.',
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
    deadLetters(o) {
      countLetters(o);
      for (const [gaveWay, n] of Object.entries(o.cut)) lettersCut.labels(gaveWay).inc(n);
      unpublishable.inc(o.unpublishable.length);
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
