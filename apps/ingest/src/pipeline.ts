// One consumed batch, end to end:
//   messages below the partition's stored offset dropped (counted: redelivered) → validate →
//   one PostgreSQL transaction (the partition's offset advanced from the value this member knows,
//   the multi-row idempotent upsert, the dead letters into the ledger) → memory store (after
//   COMMIT) → resolveOffset(last) → Kafka's committed offset (for lag tools) → heartbeat → the
//   outbox publishes the letters.
// PostgreSQL holds the position: a restart or a new owner resumes exactly after the last batch
// committed (positions.ts), so nothing written is delivered again, and a member whose partition
// was given to another while it was paused (a zombie) fails the conditional update and writes
// nothing (order-writer.ts). Kafka's committed offset is written after PostgreSQL's, never ahead.
// A transient failure (PostgreSQL down) pauses only the batch's own partition: the batch returns
// unresolved and its partition is resumed after a capped, jittered backoff, when Kafka delivers it
// again. It does not wait inside eachBatch: kafkajs fetches again only once every batch of the
// previous fetch has returned, so one batch retrying in place held up every partition on its
// broker.
import type { BatchControl } from '@orders/kafka';
import type { OrderStore } from '@orders/store';
import { noopTracing, type TraceSpan, type Tracing } from '@orders/tracing';
import { createBatchDecoder } from './batch-decoder.ts';
import { startBatchSpan, traceWrite } from './batch-trace.ts';
import type { Db } from './db.ts';
import { classifyDbError } from './db-error.ts';
import type { ValidOrder } from './handle-batch.ts';
import type { LedgerRepo } from './ledger-repo.ts';
import type { Logger } from './logger.ts';
import type { IngestMetrics } from './metrics.ts';
import type { OffsetsRepo } from './offsets-repo.ts';
import { createOrderWriter, FencedError } from './order-writer.ts';
import type { OrdersRepo, UpsertOutcome } from './orders-repo.ts';
import type { Positions } from './positions.ts';
import type { RedriveBatchStep } from './redrive/batch-step.ts';

export type Backoff = { baseMs: number; capMs: number };

export type PipelineOptions = {
  db: Db;
  repo: OrdersRepo;
  offsets: Pick<OffsetsRepo, 'advance'>;
  ledger: Pick<LedgerRepo, 'insert'>;
  /** where each partition stands in PostgreSQL, as this member knows it */
  positions: Positions;
  /** the consumer group whose position is stored */
  groupId: string;
  /** a batch wrote dead letters to the ledger: the outbox should publish them */
  onLetters?(): void;
  store: OrderStore;
  metrics: IngestMetrics;
  logger: Logger;
  /** KAFKA_MAX_BYTES: larger values are dead-lettered as too_large */
  maxMessageBytes: number;
  /** most rows per upsert statement; a larger batch becomes several statements in one transaction */
  upsertChunk: number;
  /** redriven messages (x-redrive-*): versioned by their letter, outcomes recorded in the batch */
  redrives?: RedriveBatchStep;
  backoff?: Backoff;
  /**
   * Entering / leaving the degraded state (readiness). It is entered when a first partition's batch
   * fails and left when no partition is failing anymore (their batches succeeded again).
   */
  onDegraded?(): void;
  onRecovered?(): void;
  /** a span per batch and its PostgreSQL write (batch-trace.ts); default off */
  tracing?: Tracing;
  /** test hook: called after each batch's COMMIT, before its offsets are resolved */
  afterCommit?(batchNumber: number): void;
  /** schedules a paused partition's resume (default setTimeout, unref'd) */
  schedule?(ms: number, fn: () => void): () => void;
  random?(): number;
  /**
   * How often to heartbeat while a batch's writes are in flight (default 1 s; kafkajs sends one only
   * when its heartbeat interval has passed). Without it, one statement slower than the session
   * timeout (the statement timeout is 30 s) would get this member evicted mid-batch.
   */
  heartbeatEveryMs?: number;
};

export type Pipeline = {
  processBatch(batch: BatchControl): Promise<void>;
  /** true while some partition's batch failed and waits to be retried */
  isDegraded(): boolean;
  /** `topic/partition` of each partition paused because its batch failed */
  failingPartitions(): string[];
  /**
   * Forget every failing partition without calling onRecovered (the caller resumes fetching
   * itself): at a group join no batch is in flight, and kafkajs keeps pauses across the rejoin.
   */
  resetDegraded(): void;
  /** cancel pending resumes (shutdown) */
  stop(): void;
};

type Sink = 'postgres';

const defaultSchedule = (ms: number, fn: () => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** Full jitter over an exponential ceiling (AWS architecture blog "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(b.baseMs / 2 + random() * (ceiling - b.baseMs / 2));
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const log = options.logger;
  const backoff = options.backoff ?? { baseMs: 200, capMs: 5_000 };
  const schedule = options.schedule ?? defaultSchedule;
  const random = options.random ?? Math.random;
  const tracing = options.tracing ?? noopTracing;
  let batchNumber = 0;
  // shared by every partition's batches: they decode one at a time (batch-decoder.ts)
  const decoder = createBatchDecoder({ maxBytes: options.maxMessageBytes });
  const writer = createOrderWriter({
    db: options.db,
    repo: options.repo,
    offsets: options.offsets,
    ledger: options.ledger,
    store: options.store,
    upsertChunk: options.upsertChunk,
    logger: log,
    ...(options.redrives ? { redrives: options.redrives } : {}),
  });

  // Partitions whose last batch failed, each paused until its resume; logged once per state
  // change of the whole (first failing, none failing), not per retry.
  const failing = new Map<string, { attempt: number; cancelResume: () => void }>();
  let degraded: { since: number; sink: Sink; failures: number } | null = null;

  // The batch is left unresolved: Kafka delivers it again once its partition is resumed. Shutting
  // down or moved (isStale): nothing to resume, the partition's next owner gets it.
  function retryLater(batch: BatchControl, sink: Sink, err: unknown): void {
    options.metrics.retry(sink);
    options.metrics.error(sink);
    if (degraded) degraded.failures++;
    else {
      degraded = { since: Date.now(), sink, failures: 1 };
      options.metrics.paused(true);
      log.warn('sink failing: pausing the partitions whose batches fail, retrying with backoff', {
        sink,
        partition: batch.partition,
        ...describe(err),
      });
      options.onDegraded?.();
    }
    if (!batch.isRunning() || batch.isStale()) return;
    const key = `${batch.topic}/${batch.partition}`;
    const previous = failing.get(key);
    previous?.cancelResume();
    const attempt = (previous?.attempt ?? -1) + 1;
    const resume = batch.pause();
    const entry = { attempt, cancelResume: () => {} };
    entry.cancelResume = schedule(backoffDelay(attempt, backoff, random), () => {
      entry.cancelResume = () => {};
      resume();
    });
    failing.set(key, entry);
  }

  function succeeded(batch: BatchControl): void {
    if (failing.size > 0) failing.delete(`${batch.topic}/${batch.partition}`);
    if (failing.size > 0 || !degraded) return;
    log.info('sink recovered', {
      sink: degraded.sink,
      downMs: Date.now() - degraded.since,
      failedAttempts: degraded.failures,
    });
    degraded = null;
    options.metrics.paused(false);
    options.onRecovered?.();
  }

  // Another member moved this partition's stored offset: this one's knowledge is stale. Learn the
  // stored offset again and fetch from there; if this member was dropped from the group (a
  // zombie), the heartbeat throws and kafkajs rejoins.
  async function fenced(batch: BatchControl, err: FencedError): Promise<void> {
    log.warn('partition written by another member: this batch is not, refetching from its offset', {
      partition: batch.partition,
      err: { message: err.message },
    });
    options.metrics.fenced();
    options.positions.forget(batch.partition);
    const stored = await options.positions.expected(batch.partition);
    if (stored !== undefined) batch.seek(stored);
    await batch.heartbeat();
  }

  // in flight from the hand-over until written and committed, or given back for a retry
  async function processBatch(batch: BatchControl): Promise<void> {
    const n = batch.messages.length;
    options.metrics.inFlight(n);
    const span = startBatchSpan(tracing, batch);
    try {
      await runBatch(batch, span);
    } catch (err) {
      span.fail(err);
      throw err;
    } finally {
      span.end();
      options.metrics.inFlight(-n);
    }
  }

  async function runBatch(batch: BatchControl, span: TraceSpan): Promise<void> {
    const last = batch.messages[batch.messages.length - 1];
    if (!last) return;
    const started = performance.now();
    let expected: string | undefined;
    try {
      expected = await options.positions.expected(batch.partition);
    } catch (err) {
      return retryLater(batch, 'postgres', err);
    }
    // already in PostgreSQL: not written again, counted (a consumer that seeks shows 0)
    const from = expected === undefined ? undefined : BigInt(expected);
    const fresh =
      from === undefined || BigInt((batch.messages[0] as { offset: string }).offset) >= from
        ? batch.messages
        : batch.messages.filter((m) => BigInt(m.offset) >= from);
    if (fresh.length < batch.messages.length) {
      options.metrics.redelivered(batch.partition, batch.messages.length - fresh.length);
    }
    if (fresh.length === 0) {
      batch.resolveOffset(last.offset);
      return;
    }
    const handled = await decoder.decode({ ...batch, messages: fresh });
    const next = String(BigInt(last.offset) + 1n);

    // kafkajs heartbeats only when asked: keep the membership while one statement is slow
    const stopHeartbeats = heartbeatWhileBusy(batch, options.heartbeatEveryMs ?? 1_000);
    let written: UpsertOutcome;
    try {
      const at = { groupId: options.groupId, topic: batch.topic, partition: batch.partition };
      const writeStarted = performance.now();
      written = await traceWrite(tracing, span, handled, () =>
        writer.write(handled, { at, expected, next }),
      );
      options.metrics.batchWrite((performance.now() - writeStarted) / 1000);
      options.positions.moved(batch.partition, next);
      batchNumber++;
      // the rows are durable now: the store may show them (never before COMMIT)
      await writer.remember(handled.valid, written);
      options.metrics.servable(servableOf(handled.valid, written));
      const redrive = handled.redrive;
      if (redrive) {
        await writer.remember(redrive.orders, { ...redrive.outcome, skipped: 0 });
        options.metrics.servable(servableOf(redrive.orders, redrive.outcome));
        options.redrives?.committed(redrive);
        written = sum(written, redrive.outcome);
      }
      options.afterCommit?.(batchNumber);
    } catch (err) {
      if (err instanceof FencedError) return await fenced(batch, err);
      return retryLater(batch, 'postgres', err);
    } finally {
      stopHeartbeats();
    }
    succeeded(batch);

    options.metrics.batch({
      size: handled.total,
      durationMs: performance.now() - started,
      inserted: written.inserted,
      updated: written.updated,
      unchanged: written.unchanged,
      duplicates: written.skipped + handled.supersededInBatch,
      invalid: handled.deadLetters,
    });
    if (handled.deadLetters.length > 0) options.onLetters?.();

    batch.resolveOffset(last.offset);
    // for lag tools (kafka-consumer-groups): after PostgreSQL's, never ahead; PostgreSQL's is the
    // one a restart reads, so a commit that fails here loses nothing
    const commitStarted = performance.now();
    await batch.commitOffset(next).catch((err: unknown) => {
      options.metrics.error('kafka');
      log.debug('kafka offset commit failed (PostgreSQL holds the position)', describe(err));
    });
    options.metrics.batchCommit((performance.now() - commitStarted) / 1000);
    await batch.heartbeat();
  }

  const cancelResumes = () => {
    for (const entry of failing.values()) entry.cancelResume();
    failing.clear();
  };

  return {
    processBatch,
    isDegraded: () => degraded !== null,
    failingPartitions: () => [...failing.keys()],
    resetDegraded() {
      cancelResumes();
      if (!degraded) return;
      options.metrics.paused(false);
      log.info('degraded state reset at group join, fetching resumed', { sink: degraded.sink });
      degraded = null;
    },
    stop: cancelResumes,
  };
}

// A failed heartbeat (a rebalance in progress, the coordinator moving) is left to the batch's own
// heartbeat at its end, which throws and makes kafkajs rejoin once the batch is done, as before.
function heartbeatWhileBusy(batch: BatchControl, everyMs: number): () => void {
  const timer = setInterval(() => {
    batch.heartbeat().catch(() => {});
  }, everyMs);
  return () => clearInterval(timer);
}

/** The orders the upsert wrote, now in memory: all of them unless some were skipped. */
function servableOf(valid: ValidOrder[], outcome: Pick<UpsertOutcome, 'written'>): ValidOrder[] {
  if (outcome.written.length === valid.length) return valid;
  const uids = new Set(outcome.written.map((w) => w.uid));
  return valid.filter((v) => uids.has(v.uid));
}

/** The batch's writes and its redrive step's, counted together. */
function sum(a: UpsertOutcome, b: UpsertOutcome): UpsertOutcome {
  return {
    written: a.written,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
  };
}

function describe(err: unknown) {
  const { code, message } = classifyDbError(err);
  return { err: { code, message } };
}
