// A batch into PostgreSQL, then its orders into memory. One transaction holds the whole batch:
// the partition's new offset (moved only from the value this member knows: a zombie's batch
// writes nothing), the valid orders (a multi-row idempotent upsert per `upsertChunk` rows) and the
// dead letters (the ledger). The memory store sees only rows the upsert wrote, and only after
// COMMIT (a crash between the two must not serve an order that is not durable).
import type { OrderStore, StoredOrder } from '@orders/store';
import type { Db, Queryable } from './db.ts';
import { classifyDbError } from './db-error.ts';
import {
  type DeadLetter,
  type HandledBatch,
  rejectedByDatabase,
  type ValidOrder,
} from './handle-batch.ts';
import type { LedgerRepo } from './ledger-repo.ts';
import type { Logger } from './logger.ts';
import type { OffsetsRepo, PartitionOf } from './offsets-repo.ts';
import type { OrdersRepo, UpsertOutcome } from './orders-repo.ts';
import type { RedriveBatchStep } from './redrive/batch-step.ts';

/** Where the batch moves its partition: from `expected` (undefined: no row yet) to `next`. */
export type Advance = { at: PartitionOf; expected: string | undefined; next: string };

/** The partition's stored offset is not the one this member knows: another member wrote it. */
export class FencedError extends Error {
  constructor(at: PartitionOf) {
    super(`the stored offset of ${at.topic}/${at.partition} moved: another member owns it now`);
    this.name = 'FencedError';
  }
}

export type OrderWriter = {
  /**
   * The batch in one transaction: the offset advanced, the valid orders, the dead letters. When
   * PostgreSQL refuses an order as data, the transaction is redone with each order under a
   * savepoint and the refused ones join `handled.deadLetters` (after the commit). Throws
   * FencedError when another member moved the offset, any other error when transient.
   */
  write(handled: HandledBatch, advance: Advance): Promise<UpsertOutcome>;
  /** after COMMIT: the written rows into memory; skipped rows held in memory refreshed */
  remember(valid: ValidOrder[], outcome: UpsertOutcome): Promise<void>;
};

export type OrderWriterOptions = {
  db: Db;
  repo: OrdersRepo;
  offsets: Pick<OffsetsRepo, 'advance'>;
  ledger: Pick<LedgerRepo, 'insert'>;
  store: OrderStore;
  /** most rows per upsert statement; a larger batch becomes several statements in one transaction */
  upsertChunk: number;
  logger: Logger;
  /** redriven messages, last in the transaction (their result lands in `handled.redrive`) */
  redrives?: RedriveBatchStep;
};

const emptyOutcome = (): UpsertOutcome => ({
  written: [],
  inserted: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
});

function add(total: UpsertOutcome, part: UpsertOutcome): void {
  for (const w of part.written) total.written.push(w);
  total.inserted += part.inserted;
  total.updated += part.updated;
  total.unchanged += part.unchanged;
  total.skipped += part.skipped;
}

export function createOrderWriter(o: OrderWriterOptions): OrderWriter {
  const { db, repo, store, logger: log } = o;

  async function fence(tx: Queryable, advance: Advance): Promise<void> {
    if (!(await o.offsets.advance(tx, advance.at, advance.expected, advance.next))) {
      throw new FencedError(advance.at);
    }
  }

  function writeAll(handled: HandledBatch, advance: Advance): Promise<UpsertOutcome> {
    const { valid } = handled;
    return db.transaction(async (tx) => {
      // first: a zombie stops here, and the row lock orders two writers of one partition
      await fence(tx, advance);
      const total = emptyOutcome();
      for (let i = 0; i < valid.length; i += o.upsertChunk) {
        add(total, await repo.upsert(tx, valid.slice(i, i + o.upsertChunk)));
      }
      if (handled.deadLetters.length > 0) await o.ledger.insert(tx, handled.deadLetters);
      await redrives(tx, handled, advance, false);
      return total;
    });
  }

  async function redrives(
    tx: Queryable,
    handled: HandledBatch,
    advance: Advance,
    isolate: boolean,
  ) {
    if (!o.redrives?.has(handled)) return;
    const { topic, partition } = advance.at;
    handled.redrive = await o.redrives.write(tx, handled, {
      topic,
      partition,
      isolate,
      ledger: o.ledger,
    });
  }

  // Kafka Connect's JDBC sink does the same: when the batch statement fails on the data, unwrap
  // the batch and dead-letter the errant record. Each order under its own savepoint of the one
  // transaction; an order refused as data becomes a dead letter, any other failure propagates
  // (transient: the batch retries).
  async function writeRowByRow(
    handled: HandledBatch,
    advance: Advance,
  ): Promise<{ outcome: UpsertOutcome; rejected: DeadLetter[] }> {
    const codes = new Set<string>();
    const result = await db.transaction(async (tx) => {
      await fence(tx, advance);
      const outcome = emptyOutcome();
      const rejected: DeadLetter[] = [];
      for (const order of handled.valid) {
        await tx.query('SAVEPOINT one_order');
        try {
          add(outcome, await repo.upsert(tx, [order]));
          await tx.query('RELEASE SAVEPOINT one_order');
        } catch (err) {
          const e = classifyDbError(err);
          if (e.kind !== 'data') throw err;
          await tx.query('ROLLBACK TO SAVEPOINT one_order');
          const code = e.sqlstate ?? 'unknown';
          codes.add(code);
          rejected.push(rejectedByDatabase(order, code, e.message));
        }
      }
      const letters = [...handled.deadLetters, ...rejected];
      if (letters.length > 0) await o.ledger.insert(tx, letters);
      await redrives(tx, handled, advance, true);
      if (handled.redrive) for (const r of handled.redrive.rejected) rejected.push(r);
      return { outcome, rejected };
    });
    if (result.rejected.length > 0) {
      log.warn('postgres refused orders as data, dead-lettering them', {
        count: result.rejected.length,
        codes: [...codes],
      });
    }
    return result;
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
      if (!written.has(v.uid) && store.getByUid(v.uid)) held.set(v.uid, v);
    }
    if (held.size === 0) return;
    let rows: StoredOrder[] = [];
    try {
      rows = await repo.getByUids([...held.keys()]);
    } catch (err) {
      const { code, message } = classifyDbError(err);
      log.debug('refreshing skipped orders failed, dropping them from memory', {
        err: { code, message },
      });
    }
    for (const row of rows) {
      // stored from another partition (unkeyed producer): not this partition's to hold
      if (row.partition === held.get(row.uid)?.partition) store.put(row);
      else store.remove(row.uid);
      held.delete(row.uid);
    }
    for (const uid of held.keys()) store.remove(uid);
  }

  return {
    async write(handled, advance) {
      try {
        return await writeAll(handled, advance);
      } catch (err) {
        if (err instanceof FencedError || classifyDbError(err).kind !== 'data') throw err;
      }
      const isolated = await writeRowByRow(handled, advance);
      for (const r of isolated.rejected) handled.deadLetters.push(r);
      return isolated.outcome;
    },
    async remember(valid, outcome) {
      putInStore(store, valid, outcome);
      if (outcome.skipped > 0) await refreshSkipped(valid, outcome);
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
