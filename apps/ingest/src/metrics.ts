// Ingest's metric families, on the process's registry (@orders/metrics; the API adds its own and
// serves /metrics). Each event is counted once, in its counter; `snapshot()` reads the figures
// back from the counters for /stats, tests and the benchmark.
import type { IngestFigures } from '@orders/api';
import { type CounterChild, createRegistry, type Registry } from '@orders/metrics';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '@orders/model';
import type { PublishOutcome } from './dead-letters.ts';
import { createOperatingMetrics, type OperatingMetrics } from './operating-metrics.ts';

export type BatchFigures = {
  size: number;
  durationMs: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** redeliveries skipped by the version guard + versions superseded within the batch */
  duplicates: number;
  invalid: { reason: DeadLetterReason }[];
};

export type RetrySink = 'postgres';

/** Running totals, read from the counters at the call (`IngestFigures` is what /stats shows). */
export type IngestSnapshot = IngestFigures & {
  batches: number;
  messages: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  /** messages dead-lettered (invalid, or refused by PostgreSQL as data) */
  invalid: number;
  retries: number;
  /** dead letters published cut to fit the DLQ topic's limit */
  deadLettersCut: number;
  /** dead letters the DLQ topic refused in every form (logged, not published) */
  deadLettersUnpublishable: number;
  /** messages delivered below their partition's stored offset (orders_redelivered_total) */
  redelivered: number;
  /** batches fenced off by another member's write (orders_fenced_batches_total) */
  fenced: number;
};

export type IngestMetrics = OperatingMetrics & {
  registry: Registry;
  snapshot(): IngestSnapshot;
  batch(f: BatchFigures): void;
  retry(kind: RetrySink): void;
  /** the outbox published letters to the dead-letter topic */
  deadLetters(outcome: PublishOutcome): void;
  /** messages delivered at an offset below the partition's stored one (already written) */
  redelivered(partition: number, count: number): void;
  /** a batch found its partition's stored offset moved by another member */
  fenced(): void;
  /** a lag sample; partitions not owned (any more) at the call are left out */
  lag(partitions: { partition: number; lag: number }[]): void;
  /** the partitions this instance owns now: the lag of any other disappears from the scrape */
  owned(partitions: readonly number[]): void;
};

export type IngestMetricsOptions = {
  /** the process's registry (a fresh one by default, e.g. in unit tests) */
  registry?: Registry;
  /** the `topic` label of `orders_consumer_lag` */
  topic?: string;
  /** the clock of the operating families (default Date.now) */
  now?: () => number;
};

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZE_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
const WRITE_RESULTS = ['inserted', 'updated', 'unchanged'] as const;
const RETRY_SINKS: readonly RetrySink[] = ['postgres'];
const GAVE_WAY = ['value', 'original_headers', 'key'] as const;

export function createIngestMetrics(options: IngestMetricsOptions = {}): IngestMetrics {
  const r = options.registry ?? createRegistry();
  const topic = options.topic ?? '';

  // the same events as orders_written_total (below), summed at scrape: counted once
  r.counter({
    name: 'orders_ingested_total',
    help: 'Valid orders written to PostgreSQL and the memory store.',
    collect: (set) => set(ingested()),
  });
  const invalidCounter = r.counter({
    name: 'orders_invalid_total',
    help: 'Messages rejected by validation, by reason.',
    labelNames: ['reason'],
  });
  const invalid = {} as Record<DeadLetterReason, CounterChild>;
  for (const reason of DEAD_LETTER_REASONS) invalid[reason] = invalidCounter.labels(reason);
  const deadLettered = r.counter({
    name: 'orders_dead_lettered_total',
    help: 'Messages written to the dead-letter topic.',
  });
  const batchSize = r.histogram({
    name: 'orders_ingest_batch_size',
    help: 'Messages per processed batch.',
    buckets: BATCH_SIZE_BUCKETS,
  });
  const batchSeconds = r.histogram({
    name: 'orders_ingest_batch_duration_seconds',
    help: 'Time to handle one batch (decode, PostgreSQL and dead-letter writes, retries) before its offset commit.',
    buckets: SECONDS_BUCKETS,
  });
  const consumerLag = r.gauge({
    name: 'orders_consumer_lag',
    help: "Messages between the partition's stored PostgreSQL offset and the high watermark, for the partitions this instance owns.",
    labelNames: ['topic', 'partition'],
  });
  const written = r.counter({
    name: 'orders_written_total',
    help: 'Upsert results: inserted (new uid), updated (newer content), unchanged (same bytes re-sent).',
    labelNames: ['result'],
  });
  const writes = {} as Record<(typeof WRITE_RESULTS)[number], CounterChild>;
  for (const result of WRITE_RESULTS) writes[result] = written.labels(result);
  const ingested = () => writes.inserted.value + writes.updated.value + writes.unchanged.value;
  const duplicates = r.counter({
    name: 'orders_duplicate_deliveries_total',
    help: 'Deliveries absorbed without a write: redeliveries, older replays, superseded in a batch.',
  });
  const retries = r.counter({
    name: 'orders_ingest_retries_total',
    help: 'Batch writes that failed transiently and were retried, by sink.',
    labelNames: ['sink'],
  });
  for (const sink of RETRY_SINKS) retries.labels(sink);
  const lettersCut = r.counter({
    name: 'orders_dead_letters_cut_total',
    help: "Dead letters published cut to fit the dead-letter topic's max.message.bytes, by what gave way (value, original_headers, key).",
    labelNames: ['gave_way'],
  });
  for (const g of GAVE_WAY) lettersCut.labels(g);
  const unpublishable = r.counter({
    name: 'orders_dead_letters_unpublishable_total',
    help: 'Invalid messages the dead-letter topic refused in every form: logged with their source offsets, not published.',
  });
  const redelivered = r.counter({
    name: 'orders_redelivered_total',
    help: "Messages handed to the pipeline at an offset below the partition's stored PostgreSQL offset (already written, dropped). Stays 0 while the consumer seeks to PostgreSQL's positions.",
    labelNames: ['partition'],
  });
  const fencedBatches = r.counter({
    name: 'orders_fenced_batches_total',
    help: 'Batches that wrote nothing because another member had moved their partition (a member that lost its partitions while paused).',
  });
  const sizes = batchSize.labels();
  const operating = createOperatingMetrics(r, options.now ? { now: options.now } : {});
  // null until the first join: a sample is then taken as it comes
  let owned: Set<string> | null = null;
  const shown = new Set<string>();

  return {
    ...operating,
    registry: r,
    snapshot() {
      const invalidByReason = {} as Record<DeadLetterReason, number>;
      let invalidTotal = 0;
      for (const reason of DEAD_LETTER_REASONS) {
        invalidByReason[reason] = invalid[reason].value;
        invalidTotal += invalid[reason].value;
      }
      return {
        ingested: ingested(),
        invalidByReason,
        deadLettered: deadLettered.get(),
        batches: sizes.count,
        messages: sizes.sum,
        inserted: writes.inserted.value,
        updated: writes.updated.value,
        unchanged: writes.unchanged.value,
        duplicates: duplicates.get(),
        invalid: invalidTotal,
        retries: retries.total(),
        deadLettersCut: lettersCut.total(),
        deadLettersUnpublishable: unpublishable.get(),
        redelivered: redelivered.total(),
        fenced: fencedBatches.get(),
      };
    },
    batch(f) {
      writes.inserted.inc(f.inserted);
      writes.updated.inc(f.updated);
      writes.unchanged.inc(f.unchanged);
      duplicates.inc(f.duplicates);
      for (const i of f.invalid) invalid[i.reason].inc();
      sizes.observe(f.size);
      batchSeconds.observe(f.durationMs / 1000);
    },
    retry(kind) {
      retries.labels(kind).inc();
    },
    deadLetters(o) {
      deadLettered.inc(o.published);
      for (const [gaveWay, n] of Object.entries(o.cut)) lettersCut.labels(gaveWay).inc(n);
      unpublishable.inc(o.unpublishable.length);
    },
    redelivered(partition, count) {
      redelivered.labels(String(partition)).inc(count);
    },
    fenced() {
      fencedBatches.inc();
    },
    lag(parts) {
      // a sample taken across a rebalance may name partitions revoked meanwhile
      for (const p of parts) {
        const partition = String(p.partition);
        if (owned && !owned.has(partition)) continue;
        consumerLag.labels(topic, partition).set(p.lag);
        shown.add(partition);
      }
    },
    owned(partitions) {
      owned = new Set(partitions.map(String));
      for (const partition of shown) {
        if (owned.has(partition)) continue;
        consumerLag.remove(topic, partition);
        shown.delete(partition);
      }
    },
  };
}
