// The batch's redriven messages, in its transaction (order-writer.ts calls this after the orders
// and the ledger): a message naming a redrive (x-redrive-letter / x-redrive-run) is versioned by
// its LETTER's original source position (partition, offset, timestamp), read from the ledger row
// — never from its headers, and only when that run did send that letter (its redrive_letters row
// is 'sending' or 'sent'). A message whose claim does not hold is an ordinary one (its own offset).
// What became of each redriven letter is recorded here, in the same transaction as the batch's
// offset: stored, superseded (the upsert skipped it: newer content is stored) or dead-lettered
// again (its new ledger letter linked to the first). A redrive can never overwrite newer content:
// its position is older than anything consumed after the letter.
import type { Queryable } from '../db.ts';
import { classifyDbError } from '../db-error.ts';
import {
  type DeadLetter,
  type HandledBatch,
  rejectedByDatabase,
  type ValidOrder,
} from '../handle-batch.ts';
import type { LedgerRepo } from '../ledger-repo.ts';
import { type UpsertOutcome, upsertOrders, upsertParams } from '../orders-repo.ts';
import type { RedriveRef } from './refs.ts';

export type RedriveCounts = { stored: number; superseded: number; deadLettered: number };

export type RedriveStepResult = {
  /** the rows this step wrote that memory may hold (the batch's own partition), in write order */
  orders: ValidOrder[];
  /** the writes of this step (redriven and ordinary-after-all messages) */
  outcome: UpsertOutcome;
  /** outcomes recorded for redriven letters (the first arrival of each (run, letter)) */
  counts: RedriveCounts;
  /** redriven orders PostgreSQL refused as data (isolated pass): new letters, in the ledger */
  rejected: DeadLetter[];
};

export type RedriveBatchStep = {
  /** whether the batch has anything for this step (cheap: the decoder counted) */
  has(handled: HandledBatch): boolean;
  write(
    tx: Queryable,
    handled: HandledBatch,
    o: { topic: string; partition: number; isolate: boolean; ledger: Pick<LedgerRepo, 'insert'> },
  ): Promise<RedriveStepResult>;
  /** after COMMIT: the counts into the metrics */
  committed(result: RedriveStepResult): void;
};

// The batch upsert's statement with one difference: on the same partition an EQUAL position
// wins too. A redrive of a letter whose earlier redrive is stored (an operator correcting a value
// twice, `again`) carries the same position and must replace it; no ordinary message ever has a
// letter's position (an offset holds one message: an order or a letter).
const REDRIVE_UPSERT_SQL = `
INSERT INTO orders AS o
  (order_uid, data, body, etag, date_created, src_partition, src_offset, src_timestamp)
SELECT u, e::jsonb, e, t, to_timestamp(d / 1000.0), p, f, to_timestamp(ts / 1000.0)
FROM ROWS FROM (
  string_to_table($1::text, ','), string_to_table($2::text, E'\\x1e'),
  string_to_table($3::text, ','), unnest($4::float8[]), unnest($5::int[]), unnest($6::bigint[]),
  unnest($7::float8[])
) AS i(u, e, t, d, p, f, ts)
ON CONFLICT (order_uid) DO UPDATE SET
  data = CASE WHEN o.body = excluded.body THEN o.data ELSE excluded.data END,
  body = excluded.body,
  etag = excluded.etag,
  date_created = excluded.date_created,
  src_partition = excluded.src_partition,
  src_offset = excluded.src_offset,
  src_timestamp = excluded.src_timestamp,
  version = o.version + (o.body IS DISTINCT FROM excluded.body)::int,
  updated_at = CASE WHEN o.body = excluded.body THEN o.updated_at ELSE now() END
WHERE CASE
  WHEN o.src_partition = excluded.src_partition THEN excluded.src_offset >= o.src_offset
  ELSE excluded.src_timestamp >= o.src_timestamp
END
RETURNING id, order_uid, (xmax = 0) AS inserted, (updated_at = now()) AS changed`;

async function upsertRedriven(tx: Queryable, orders: ValidOrder[]): Promise<UpsertOutcome> {
  const { rows } = await tx.query<{
    id: number;
    order_uid: string;
    inserted: boolean;
    changed: boolean;
  }>(REDRIVE_UPSERT_SQL, upsertParams(orders));
  const outcome: UpsertOutcome = { written: [], inserted: 0, updated: 0, unchanged: 0, skipped: 0 };
  for (const r of rows) {
    if (r.inserted) outcome.inserted++;
    else if (r.changed) outcome.updated++;
    else outcome.unchanged++;
    outcome.written.push({
      id: r.id,
      uid: r.order_uid,
      inserted: r.inserted,
      changed: r.inserted || r.changed,
    });
  }
  outcome.skipped = orders.length - rows.length;
  return outcome;
}

// Only pairs the run did send (a row still 'pending' was never sent: a message naming it is not
// the run's). The ledger row gives the position.
const LOOKUP_SQL = `
SELECT rl.run_id, rl.letter_id, rl.outcome IS NOT NULL AS decided, d.src_partition,
  d.src_offset::text AS src_offset, (extract(epoch FROM d.src_timestamp) * 1000)::float8 AS ts_ms
FROM unnest($1::bigint[], $2::bigint[]) AS x(run_id, letter_id)
JOIN redrive_letters rl ON rl.run_id = x.run_id AND rl.letter_id = x.letter_id
JOIN dead_letters d ON d.id = rl.letter_id
WHERE rl.state IN ('sending', 'sent')`;

const OUTCOME_SQL = `
UPDATE redrive_letters rl SET outcome = x.outcome, outcome_at = now()
FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(run_id, letter_id, outcome)
WHERE rl.run_id = x.run_id AND rl.letter_id = x.letter_id AND rl.outcome IS NULL`;

// A redriven message that failed again: its new letter (inserted by this transaction, under the
// message's own coordinates) is linked to the first, and the first's outcome names it.
const DEAD_LETTERED_SQL = `
WITH x AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::bigint[])
    AS x(run_id, letter_id, p, o)
), linked AS (
  UPDATE dead_letters d SET redrive_of = x.letter_id, redrive_run = x.run_id
  FROM x WHERE d.src_topic = $5 AND d.src_partition = x.p AND d.src_offset = x.o
  RETURNING d.id, x.run_id, x.letter_id
)
UPDATE redrive_letters rl
SET outcome = 'dead_lettered', outcome_letter_id = linked.id, outcome_at = now()
FROM linked
WHERE rl.run_id = linked.run_id AND rl.letter_id = linked.letter_id AND rl.outcome IS NULL
RETURNING rl.letter_id`;

type Claim = { partition: number; offset: string; timestamp: string; decided: boolean };

const pairKey = (r: RedriveRef) => `${r.run}/${r.letter}`;

/** Orders split into statements in which each uid appears once, keeping their order. */
export function rounds(orders: ValidOrder[]): ValidOrder[][] {
  const out: ValidOrder[][] = [];
  const seen = new Map<string, number>();
  for (const o of orders) {
    const n = seen.get(o.uid) ?? 0;
    seen.set(o.uid, n + 1);
    const round = out[n] ?? [];
    out[n] = round;
    round.push(o);
  }
  return out;
}

export function createRedriveBatchStep(o: { onCommitted?(counts: RedriveCounts): void }) {
  async function lookup(tx: Queryable, refs: RedriveRef[]): Promise<Map<string, Claim>> {
    const found = new Map<string, Claim>();
    if (refs.length === 0) return found;
    const { rows } = await tx.query<{
      run_id: number;
      letter_id: number;
      decided: boolean;
      src_partition: number;
      src_offset: string;
      ts_ms: number | null;
    }>(LOOKUP_SQL, [refs.map((r) => r.run), refs.map((r) => r.letter)]);
    for (const r of rows) {
      found.set(pairKey({ run: r.run_id, letter: r.letter_id }), {
        partition: r.src_partition,
        offset: r.src_offset,
        timestamp: r.ts_ms === null ? '' : String(Math.round(r.ts_ms)),
        decided: r.decided,
      });
    }
    return found;
  }

  const step: RedriveBatchStep = {
    has: (handled) => (handled.redriven?.length ?? 0) > 0 || (handled.redrivenLetters ?? 0) > 0,

    async write(tx, handled, { topic, partition, isolate, ledger }) {
      const redriven = handled.redriven ?? [];
      const failed = handled.redrivenLetters ? handled.deadLetters.filter((d) => d.redrive) : [];
      const claims = await lookup(tx, [
        ...redriven.map((v) => v.redrive as RedriveRef),
        ...failed.map((d) => d.redrive as RedriveRef),
      ]);

      // each message at its version position: the letter's for a claim that holds, else its own
      type Item = { at: ValidOrder; own: ValidOrder; claim: Claim | undefined };
      const items: Item[] = redriven.map((own) => {
        const claim = claims.get(pairKey(own.redrive as RedriveRef));
        const at: ValidOrder = claim
          ? { ...own, partition: claim.partition, offset: claim.offset, timestamp: claim.timestamp }
          : { ...own, redrive: undefined };
        return { at, own, claim };
      });

      const result: RedriveStepResult = {
        orders: [],
        outcome: { written: [], inserted: 0, updated: 0, unchanged: 0, skipped: 0 },
        counts: { stored: 0, superseded: 0, deadLettered: 0 },
        rejected: [],
      };
      const decided: { ref: RedriveRef; outcome: 'stored' | 'superseded' }[] = [];
      const byAt = new Map<ValidOrder, Item>(items.map((i) => [i.at, i]));
      // an outcome per (run, letter): its first arrival decides it
      const once = new Set<Claim>();

      const apply = (batchItems: ValidOrder[], outcome: UpsertOutcome) => {
        const written = new Set(outcome.written.map((w) => w.uid));
        for (const w of outcome.written) result.outcome.written.push(w);
        result.outcome.inserted += outcome.inserted;
        result.outcome.updated += outcome.updated;
        result.outcome.unchanged += outcome.unchanged;
        result.outcome.skipped += outcome.skipped;
        for (const at of batchItems) {
          const item = byAt.get(at) as Item;
          const stored = written.has(at.uid);
          // memory holds what the batch's own partition wrote (another partition's owner may
          // hold that uid; reads go through PostgreSQL)
          if (stored && at.partition === partition) result.orders.push(at);
          if (item.claim && !item.claim.decided && !once.has(item.claim)) {
            once.add(item.claim);
            decided.push({
              ref: item.own.redrive as RedriveRef,
              outcome: stored ? 'stored' : 'superseded',
            });
          }
        }
      };

      const upsert = (batch: ValidOrder[]) =>
        batch[0]?.redrive ? upsertRedriven(tx, batch) : upsertOrders(tx, batch);
      // the claimed and the ordinary-after-all apart (their rules differ), each uid once per
      // statement, in offset order
      const groups = [items.filter((i) => i.claim), items.filter((i) => !i.claim)];
      for (const group of groups) {
        for (const round of rounds(group.map((i) => i.at))) {
          if (!isolate) {
            apply(round, await upsert(round));
            continue;
          }
          // Kafka Connect's unwrapping, as order-writer.ts does for the batch's orders
          for (const at of round) {
            await tx.query('SAVEPOINT one_redrive');
            try {
              apply([at], await upsert([at]));
              await tx.query('RELEASE SAVEPOINT one_redrive');
            } catch (err) {
              const e = classifyDbError(err);
              if (e.kind !== 'data') throw err;
              await tx.query('ROLLBACK TO SAVEPOINT one_redrive');
              const own = (byAt.get(at) as Item).own;
              // the new letter under the message's own coordinates (the first keeps its own)
              const letter = rejectedByDatabase(own, e.sqlstate ?? 'unknown', e.message);
              if (at.redrive) letter.redrive = at.redrive;
              result.rejected.push(letter);
            }
          }
        }
      }
      if (result.rejected.length > 0) await ledger.insert(tx, result.rejected);

      if (decided.length > 0) {
        await tx.query(OUTCOME_SQL, [
          decided.map((d) => d.ref.run),
          decided.map((d) => d.ref.letter),
          decided.map((d) => d.outcome),
        ]);
        for (const d of decided) {
          if (d.outcome === 'stored') result.counts.stored++;
          else result.counts.superseded++;
        }
      }
      // failed again (decoding, or refused by PostgreSQL): the new letter linked to the first
      const again = [...failed, ...result.rejected].filter((d) => {
        const claim = d.redrive && claims.get(pairKey(d.redrive));
        if (!claim || claim.decided || once.has(claim)) return false;
        once.add(claim);
        return true;
      });
      if (again.length > 0) {
        const { rows } = await tx.query(DEAD_LETTERED_SQL, [
          again.map((d) => (d.redrive as RedriveRef).run),
          again.map((d) => (d.redrive as RedriveRef).letter),
          again.map((d) => d.source.partition),
          again.map((d) => d.source.offset),
          topic,
        ]);
        result.counts.deadLettered += rows.length;
      }
      return result;
    },

    committed(result) {
      o.onCommitted?.(result.counts);
    },
  };
  return step;
}
