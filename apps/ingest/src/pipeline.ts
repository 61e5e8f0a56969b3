// One consumed batch, end to end:
//   validate → one PostgreSQL transaction (multi-row idempotent upsert) → memory store (after
//   COMMIT) → dead letters and the batch's offset in one Kafka transaction → resolveOffset(last) →
//   commit → heartbeat.
// An offset is resolved only once every message up to it is durably in PostgreSQL or in the
// dead-letter topic. Redelivered orders are absorbed by the upsert; dead letters are not, so they
// are committed together with the offset: a crash in between aborts both.
// A transient failure (PostgreSQL down, the DLQ produce failing) pauses only the batch's own
// partition: the batch returns unresolved and its partition is resumed after a capped, jittered
// backoff, when Kafka delivers it again. It does not wait inside eachBatch: kafkajs fetches again
// only once every batch of the previous fetch has returned, so one batch retrying in place held
// up every partition on its broker.
import type { OrderStore, StoredOrder } from '@orders/store';
import { createBatchDecoder } from './batch-decoder.ts';
import type { BatchControl } from './consumer.ts';
import type { Db } from './db.ts';
import { describeDbError, isDataError } from './db.ts';
import type { DeadLetterSink, PublishOutcome } from './dead-letters.ts';
import {
  type DeadLetter,
  type HandledBatch,
  rejectedByDatabase,
  type ValidOrder,
} from './handle-batch.ts';
import type { Logger } from './logger.ts';
import type { IngestMetrics } from './metrics.ts';
import type { OrdersRepo, UpsertOutcome } from './orders-repo.ts';

export type Backoff = { baseMs: number; capMs: number };

export type PipelineOptions = {
  db: Db;
  repo: OrdersRepo;
  deadLetters: DeadLetterSink;
  /** the consumer group whose offset is committed with a batch's dead letters */
  groupId: string;
  store: OrderStore;
  metrics: IngestMetrics;
  logger: Logger;
  /** KAFKA_MAX_BYTES: larger values are dead-lettered as too_large */
  maxMessageBytes: number;
  /** most rows per upsert statement; a larger batch becomes several statements in one transaction */
  upsertChunk: number;
  backoff?: Backoff;
  /**
   * Entering / leaving the degraded state (readiness). It is entered when a first partition's batch
   * fails and left when no partition is failing anymore (their batches succeeded again).
   */
  onDegraded?(): void;
  onRecovered?(): void;
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

type Sink = 'postgres' | 'dead_letters';

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
  let batchNumber = 0;
  // shared by every partition's batches: they decode one at a time (batch-decoder.ts)
  const decoder = createBatchDecoder({ maxBytes: options.maxMessageBytes });

  // Partitions whose last batch failed, each paused until its resume; logged once per state
  // change of the whole (first failing, none failing), not per retry.
  const failing = new Map<string, { attempt: number; cancelResume: () => void }>();
  let degraded: { since: number; sink: Sink; failures: number } | null = null;

  // The batch is left unresolved: Kafka delivers it again once its partition is resumed. Shutting
  // down or moved (isStale): nothing to resume, the partition's next owner gets it.
  function retryLater(batch: BatchControl, sink: Sink, err: unknown): void {
    options.metrics.retry(sink);
    if (degraded) degraded.failures++;
    else {
      degraded = { since: Date.now(), sink, failures: 1 };
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
    options.onRecovered?.();
  }

  async function writeToPostgres(valid: ValidOrder[]): Promise<UpsertOutcome> {
    return options.db.transaction(async (tx) => {
      if (valid.length <= options.upsertChunk) return options.repo.upsert(tx, valid);
      const total: UpsertOutcome = {
        written: [],
        inserted: 0,
        updated: 0,
        unchanged: 0,
        skipped: 0,
      };
      for (let i = 0; i < valid.length; i += options.upsertChunk) {
        const part = await options.repo.upsert(tx, valid.slice(i, i + options.upsertChunk));
        for (const w of part.written) total.written.push(w);
        total.inserted += part.inserted;
        total.updated += part.updated;
        total.unchanged += part.unchanged;
        total.skipped += part.skipped;
      }
      return total;
    });
  }

  // Kafka Connect's JDBC sink does the same: when the batch statement fails on the data, unwrap
  // the batch and dead-letter the errant record. Each row in its own transaction; a row refused
  // as data becomes a dead letter, any other failure propagates (transient: the batch retries).
  async function writeRowByRow(
    valid: ValidOrder[],
  ): Promise<{ outcome: UpsertOutcome; rejected: DeadLetter[] }> {
    const outcome: UpsertOutcome = {
      written: [],
      inserted: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    };
    const rejected: DeadLetter[] = [];
    for (const order of valid) {
      try {
        const one = await options.db.transaction((tx) => options.repo.upsert(tx, [order]));
        for (const w of one.written) outcome.written.push(w);
        outcome.inserted += one.inserted;
        outcome.updated += one.updated;
        outcome.unchanged += one.unchanged;
        outcome.skipped += one.skipped;
      } catch (err) {
        if (!isDataError(err)) throw err;
        const { code, message } = describeDbError(err);
        rejected.push(rejectedByDatabase(order, code, message));
      }
    }
    if (rejected.length > 0) {
      log.warn('postgres refused orders as data, dead-lettering them', {
        count: rejected.length,
        codes: [...new Set(rejected.map((r) => r.problems[0]?.message.slice(9, 14)))],
      });
    }
    return { outcome, rejected };
  }

  // A skipped row: PostgreSQL already holds this version or a newer one — a redelivery, whose newer
  // version may have been written meanwhile by another instance (the partition's previous owner
  // finishing a batch after it was dropped from the group). A copy in memory may then be older than
  // PostgreSQL's and would never be replaced: take PostgreSQL's version (one query, only for the
  // skipped uids held in memory, i.e. only on redeliveries); when it cannot be read, drop the copy
  // and let reads go through.
  async function refreshSkipped(valid: ValidOrder[], outcome: UpsertOutcome): Promise<void> {
    const written = new Set(outcome.written.map((w) => w.uid));
    const held = new Map<string, ValidOrder>();
    for (const v of valid) {
      if (!written.has(v.uid) && options.store.getByUid(v.uid)) held.set(v.uid, v);
    }
    if (held.size === 0) return;
    let rows: StoredOrder[] = [];
    try {
      rows = await options.repo.getByUids([...held.keys()]);
    } catch (err) {
      log.debug('refreshing skipped orders failed, dropping them from memory', describe(err));
    }
    for (const row of rows) {
      // stored from another partition (unkeyed producer): not this partition's to hold
      if (row.partition === held.get(row.uid)?.partition) options.store.put(row);
      else options.store.remove(row.uid);
      held.delete(row.uid);
    }
    for (const uid of held.keys()) options.store.remove(uid);
  }

  // The orders in one transaction; when PostgreSQL refuses one as data, row by row, the refused
  // ones joining the batch's dead letters.
  async function writeOrders(handled: HandledBatch): Promise<UpsertOutcome> {
    try {
      return await writeToPostgres(handled.valid);
    } catch (err) {
      if (!isDataError(err)) throw err;
    }
    const isolated = await writeRowByRow(handled.valid);
    for (const r of isolated.rejected) handled.deadLetters.push(r);
    return isolated.outcome;
  }

  async function processBatch(batch: BatchControl): Promise<void> {
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return;
    const started = performance.now();
    const handled = await decoder.decode(batch);
    const next = String(BigInt(last.offset) + 1n);

    // kafkajs heartbeats only when asked: keep the membership while one statement or send is slow
    const stopHeartbeats = heartbeatWhileBusy(batch, options.heartbeatEveryMs ?? 1_000);
    let written: UpsertOutcome;
    let letters: PublishOutcome | undefined;
    try {
      try {
        written = await writeOrders(handled);
      } catch (err) {
        return retryLater(batch, 'postgres', err);
      }
      batchNumber++;
      // the rows are durable now: the store may show them (never before COMMIT)
      putInStore(options.store, handled.valid, written);
      if (written.skipped > 0) await refreshSkipped(handled.valid, written);
      options.afterCommit?.(batchNumber);
      if (handled.deadLetters.length > 0) {
        try {
          // the only commit of this partition in flight: the previous batch's was awaited, and
          // kafkajs's auto-commit (every partition's offsets after any batch) is off
          letters = await options.deadLetters.publish(handled.deadLetters, {
            groupId: options.groupId,
            topic: batch.topic,
            partition: batch.partition,
            offset: next,
          });
        } catch (err) {
          // redelivered after the resume: the upsert absorbs the orders written above
          return retryLater(batch, 'dead_letters', err);
        }
      }
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
      deadLettered: letters?.published ?? 0,
    });
    if (letters) options.metrics.deadLetters(letters);

    // kafkajs's fetch position; with dead letters the offset is committed already (their
    // transaction), otherwise commit this partition's offset now and wait for the answer
    batch.resolveOffset(last.offset);
    if (!letters) await batch.commitOffset(next);
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
      log.info('degraded state reset at group join, fetching resumed', { sink: degraded.sink });
      degraded = null;
    },
    stop: cancelResumes,
  };
}

/** Only rows the upsert actually wrote: a skipped older replay must not replace a newer version. */
function putInStore(store: OrderStore, valid: ValidOrder[], outcome: UpsertOutcome): void {
  if (outcome.written.length === 0) return;
  const byUid = new Map<string, ValidOrder>();
  for (const v of valid) byUid.set(v.uid, v);
  for (const w of outcome.written) {
    const v = byUid.get(w.uid);
    if (!v) continue;
    store.put({
      id: w.id,
      uid: v.uid,
      body: v.body,
      etag: v.etag,
      dateCreated: v.dateCreated ?? 0,
      partition: v.partition,
    });
  }
}

// A failed heartbeat (a rebalance in progress, the coordinator moving) is left to the batch's own
// heartbeat at its end, which throws and makes kafkajs rejoin once the batch is done, as before.
function heartbeatWhileBusy(batch: BatchControl, everyMs: number): () => void {
  const timer = setInterval(() => {
    batch.heartbeat().catch(() => {});
  }, everyMs);
  return () => clearInterval(timer);
}

function describe(err: unknown) {
  const { code, message } = describeDbError(err);
  return { err: { code, message } };
}
