// One consumed batch, end to end:
//   validate → one PostgreSQL transaction (multi-row idempotent upsert) → memory store (after
//   COMMIT) → dead letters and the batch's offset in one Kafka transaction → resolveOffset(last) →
//   commit → heartbeat.
// An offset is resolved only once every message up to it is durably in PostgreSQL or in the
// dead-letter topic. Redelivered orders are absorbed by the upsert; dead letters are not, so they
// are committed together with the offset: a crash in between aborts both. Transient failures (PostgreSQL down, DLQ produce failing) are not poison:
// the batch is retried with capped, jittered backoff while the group membership is kept alive.
import type { OrderStore, StoredOrder } from '@orders/store';
import { createBatchDecoder } from './batch-decoder.ts';
import type { BatchControl } from './consumer.ts';
import type { Db } from './db.ts';
import { describeDbError, isDataError } from './db.ts';
import type { DeadLetterSink } from './dead-letters.ts';
import { type DeadLetter, rejectedByDatabase, type ValidOrder } from './handle-batch.ts';
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
   * Entering / leaving the degraded state (e.g. pause / resume fetching). It is left when a batch
   * succeeds again, or when no batch is retrying anymore because they were given up (shutdown,
   * partition moved, rebalance): nothing else would resume a paused topic.
   */
  onDegraded?(): void;
  onRecovered?(): void;
  /** test hook: called after each batch's COMMIT, before its offsets are resolved */
  afterCommit?(batchNumber: number): void;
  sleep?(ms: number): Promise<void>;
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
  /** true while a sink is failing and batches are being retried */
  isDegraded(): boolean;
  /**
   * Forget the degraded state without calling onRecovered (the caller resumes fetching itself):
   * at a group join no batch is in flight, so none is retrying.
   */
  resetDegraded(): void;
};

type Sink = 'postgres' | 'dead_letters';

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Full jitter over an exponential ceiling (AWS architecture blog "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, b: Backoff, random: () => number): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(b.baseMs / 2 + random() * (ceiling - b.baseMs / 2));
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const log = options.logger;
  const backoff = options.backoff ?? { baseMs: 200, capMs: 5_000 };
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let batchNumber = 0;
  // shared by every partition's batches: they decode one at a time (batch-decoder.ts)
  const decoder = createBatchDecoder({ maxBytes: options.maxMessageBytes });

  // Shared by every partition's batch: log once per state change, not per retry.
  let degraded: { since: number; sink: Sink; failures: number } | null = null;
  // batches inside the retry loop right now (partitions are processed in parallel)
  let retrying = 0;

  const enterDegraded = (sink: Sink, err: unknown) => {
    options.metrics.retry(sink);
    if (degraded) {
      degraded.failures++;
      return;
    }
    degraded = { since: Date.now(), sink, failures: 1 };
    log.warn('sink failing, retrying batches with backoff', { sink, ...describe(err) });
    options.onDegraded?.();
  };
  const clearDegraded = (message: string) => {
    if (!degraded) return;
    log.info(message, {
      sink: degraded.sink,
      downMs: Date.now() - degraded.since,
      failedAttempts: degraded.failures,
    });
    degraded = null;
    options.onRecovered?.();
  };
  const leaveDegraded = () => clearDegraded('sink recovered');
  // A retrying batch gave up: shutdown, its partition moved, or a heartbeat threw (rebalance); its
  // messages are redelivered to the partition's owner. Once no batch is retrying, leave the
  // degraded state: kafkajs keeps a pause across a rejoin and a paused topic delivers no batch, so
  // nothing else would ever resume fetching. If the sink is still down, the next batch pauses again.
  const giveUp = (): void => {
    retrying = Math.max(0, retrying - 1);
    if (retrying === 0) {
      clearDegraded('retrying batches given up (shutdown or rebalance), fetching resumed');
    }
  };

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

  async function processBatch(batch: BatchControl): Promise<void> {
    const first = batch.messages[0];
    const last = batch.messages[batch.messages.length - 1];
    if (!first || !last) return;
    const started = performance.now();
    const handled = await decoder.decode(batch);

    // kafkajs heartbeats only when asked: keep the membership while one statement or send is slow
    const stopHeartbeats = heartbeatWhileBusy(batch, options.heartbeatEveryMs ?? 1_000);
    try {
      let outcome: UpsertOutcome | undefined;
      let dlqDone = handled.deadLetters.length === 0;
      let attempt = 0;
      for (;;) {
        let failed: { sink: Sink; err: unknown } | undefined;
        if (!outcome) {
          try {
            outcome = await writeToPostgres(handled.valid);
          } catch (err) {
            failed = { sink: 'postgres', err };
          }
          if (failed && isDataError(failed.err)) {
            failed = undefined;
            try {
              const isolated = await writeRowByRow(handled.valid);
              outcome = isolated.outcome;
              if (isolated.rejected.length > 0) {
                for (const r of isolated.rejected) handled.deadLetters.push(r);
                dlqDone = false;
              }
            } catch (err) {
              failed = { sink: 'postgres', err };
            }
          }
          if (outcome) {
            batchNumber++;
            // the rows are durable now: the store may show them (never before COMMIT)
            putInStore(options.store, handled.valid, outcome);
            if (outcome.skipped > 0) await refreshSkipped(handled.valid, outcome);
            options.afterCommit?.(batchNumber);
          }
        }
        if (!failed && !dlqDone) {
          try {
            // the only commit of this partition in flight: the previous batch's was awaited, and
            // kafkajs's auto-commit (every partition's offsets after any batch) is off
            await options.deadLetters.publish(handled.deadLetters, {
              groupId: options.groupId,
              topic: batch.topic,
              partition: batch.partition,
              offset: String(BigInt(last.offset) + 1n),
            });
            dlqDone = true;
          } catch (err) {
            failed = { sink: 'dead_letters', err };
          }
        }
        if (!failed) break;

        enterDegraded(failed.sink, failed.err);
        if (attempt === 0) retrying++;
        // Shutting down or the partition was re-assigned/sought: leave the batch unresolved; it
        // is redelivered to whoever owns the partition next (the upsert absorbs the replay).
        if (!batch.isRunning() || batch.isStale()) return giveUp();
        await sleepWithHeartbeats(batch, backoffDelay(attempt++, backoff, random), sleep).catch(
          (err: unknown) => {
            giveUp();
            throw err;
          },
        );
        if (!batch.isRunning() || batch.isStale()) return giveUp();
      }
      if (attempt > 0) retrying = Math.max(0, retrying - 1);
      leaveDegraded();

      const written = outcome as UpsertOutcome;
      options.metrics.batch({
        size: handled.total,
        durationMs: performance.now() - started,
        inserted: written.inserted,
        updated: written.updated,
        unchanged: written.unchanged,
        duplicates: written.skipped + handled.supersededInBatch,
        invalid: handled.deadLetters,
        deadLettered: handled.deadLetters.length,
      });

      // kafkajs's fetch position; with dead letters the offset is committed already (their
      // transaction), otherwise commit this partition's offset now and wait for the answer
      batch.resolveOffset(last.offset);
      if (handled.deadLetters.length === 0)
        await batch.commitOffset(String(BigInt(last.offset) + 1n));
    } finally {
      stopHeartbeats();
    }
    await batch.heartbeat();
  }

  return {
    processBatch,
    isDegraded: () => degraded !== null,
    resetDegraded() {
      retrying = 0;
      if (!degraded) return;
      log.info('degraded state reset at group join, fetching resumed', { sink: degraded.sink });
      degraded = null;
    },
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

// kafkajs only sends a heartbeat when heartbeatInterval has passed, so calling it each second is
// cheap. A heartbeat that throws (rebalance in progress) propagates: kafkajs rejoins and the
// unresolved batch is delivered again.
async function sleepWithHeartbeats(
  batch: BatchControl,
  ms: number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  let left = ms;
  while (left > 0) {
    const step = Math.min(left, 1_000);
    await sleep(step);
    left -= step;
    if (!batch.isRunning()) return;
    await batch.heartbeat();
  }
}

function describe(err: unknown) {
  const { code, message } = describeDbError(err);
  return { err: { code, message } };
}
