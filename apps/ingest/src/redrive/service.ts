// The api's RedriveService over PostgreSQL: creating a run selects its letters, checks them and
// records the request, in ONE transaction (a crash leaves no half-made run); the runner
// (runner.ts) sends them. Creations are serialised (an advisory lock), so two runs started at once
// cannot both take the same letter.
import { randomUUID } from 'node:crypto';
import {
  type DeadLetterFilter,
  REDRIVE_MAX_LETTERS,
  REDRIVE_RATE,
  type RedriveOptions,
  type RedriveRun,
  type RedriveService,
  type StartOutcome,
} from '@orders/api';
import { decodeOrder } from '@orders/model';
import type { Db, Queryable } from '../db.ts';
import { filterSql } from '../dead-letter-reads.ts';
import { cappedProblems } from '../handle-batch.ts';
import type { Progress, RunRow, RunsRepo } from './runs-repo.ts';

// Arbitrary constant: "redriv" in ASCII (a safe integer, so exact as a parameter).
const CREATE_LOCK_KEY = 0x726564726976;
const VALIDATION_PAGE = 500;

/** A refusal found inside the creating transaction: it rolls back, the outcome is answered. */
class Refused extends Error {
  readonly outcome: Exclude<StartOutcome, { ok: true }>;
  constructor(outcome: Exclude<StartOutcome, { ok: true }>) {
    super(outcome.error);
    this.outcome = outcome;
  }
}

export type RedriveServiceOptions = {
  db: Db;
  runs: RunsRepo;
  /** KAFKA_MAX_BYTES: what a letter must fit to pass now */
  maxMessageBytes: number;
  /** a run was created or asked to resume: the runner looks for work */
  wake(): void;
  /** a run was created: its pending letters passed validation in this process just now */
  onValidated?(run: number): void;
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createRedriveService(o: RedriveServiceOptions): RedriveService {
  const { db, runs } = o;

  /** Validation of the run's pending letters, page by page; the failing ones skipped. */
  async function validate(tx: Queryable, run: number): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await runs.pendingPage(tx, run, after, VALIDATION_PAGE);
      if (page.length === 0) return;
      const skipped: { letter: number; reason: string; problems: unknown }[] = [];
      for (const row of page) {
        if (row.value_truncated && !row.edited) {
          skipped.push({ letter: row.letter_id, reason: 'truncated', problems: null });
          continue;
        }
        const decoded = decodeOrder(row.value, { maxBytes: o.maxMessageBytes });
        if (!decoded.ok) {
          skipped.push({
            letter: row.letter_id,
            reason: 'invalid',
            problems: cappedProblems(decoded.problems),
          });
        }
      }
      await runs.skip(tx, run, skipped);
      after = (page[page.length - 1] as { letter_id: number }).letter_id;
      await nextTurn(); // ~15 µs a letter: a large run must not hold the event loop
    }
  }

  /** Inside the creating transaction: conflicts, validation, counts; a dry run keeps no rows. */
  async function settle(
    tx: Queryable,
    run: number,
    matched: number,
    options: Pick<RedriveOptions, 'again' | 'dryRun'>,
    refuseConflicts: boolean,
  ): Promise<StartOutcome> {
    if (matched > REDRIVE_MAX_LETTERS) throw new Refused({ ok: false, error: 'too_many', matched });
    if (!options.again) {
      const elsewhere = await runs.skipRedrivenElsewhere(tx, run);
      if (refuseConflicts && elsewhere.length > 0) {
        throw new Refused({
          ok: false,
          error: 'conflict',
          ids: elsewhere.sort((a, b) => a - b),
          message: `${elsewhere.length} of the letters were redriven already (stored or superseded) or are being redriven; "again": true sends them anyway`,
        });
      }
    }
    await validate(tx, run);
    const progress = await runs.counts(tx, run);
    const wouldPass = progress.pending;
    if (options.dryRun) await tx.query('DELETE FROM redrive_letters WHERE run_id = $1', [run]);
    await runs.finishCreate(tx, run, {
      matched,
      wouldPass,
      skipped: progress.skipped_by_reason,
      done: options.dryRun || wouldPass === 0,
    });
    return { ok: true, run, matched, would_pass: wouldPass, skipped: progress.skipped };
  }

  async function create(fn: (tx: Queryable) => Promise<StartOutcome>): Promise<StartOutcome> {
    try {
      const outcome = await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [CREATE_LOCK_KEY]);
        return fn(tx);
      });
      if (outcome.ok) {
        o.onValidated?.(outcome.run);
        o.wake();
      }
      return outcome;
    } catch (err) {
      if (err instanceof Refused) return err.outcome;
      throw err;
    }
  }

  const txnId = () => `orders-redrive-${randomUUID()}`;
  const rateOf = (rate: number) =>
    Math.min(REDRIVE_RATE.max, Math.max(REDRIVE_RATE.min, Math.floor(rate)));

  return {
    start(selection, options, by) {
      return create(async (tx) => {
        const rate = rateOf(options.rate);
        const request: Record<string, unknown> = {
          rate,
          again: options.again,
          include_redriven: options.includeRedriven,
        };
        let matched: number;
        if (selection.kind === 'ids') {
          const ids = [...new Set(selection.ids)];
          if (ids.length > REDRIVE_MAX_LETTERS) {
            return { ok: false, error: 'too_many', matched: ids.length };
          }
          const { rows } = await tx.query<{ id: number; produced: boolean }>(
            `SELECT id, redrive_of IS NOT NULL AS produced FROM dead_letters
             WHERE id = ANY($1::bigint[])`,
            [ids],
          );
          const found = new Set(rows.map((r) => r.id));
          const missing = ids.filter((id) => !found.has(id));
          if (missing.length > 0) return { ok: false, error: 'not_found', ids: missing };
          const produced = rows.filter((r) => r.produced).map((r) => r.id);
          if (produced.length > 0 && !options.includeRedriven) {
            return {
              ok: false,
              error: 'conflict',
              ids: produced.sort((a, b) => a - b),
              message: `${produced.length} of the letters were produced by a redrive (a redriven message that failed again); "include_redriven": true sends them`,
            };
          }
          request.ids = ids;
          const run = await runs.insertRun(tx, {
            kind: 'ids',
            dryRun: options.dryRun,
            by,
            request,
            rate,
            txnId: txnId(),
          });
          const inserted = await tx.query(
            `INSERT INTO redrive_letters (run_id, letter_id, state)
             SELECT $1, id, 'pending' FROM dead_letters WHERE id = ANY($2::bigint[])`,
            [run, ids],
          );
          matched = inserted.rowCount ?? 0;
          return settle(tx, run, matched, options, true);
        }
        request.filter = selection.filter;
        const run = await runs.insertRun(tx, {
          kind: 'filter',
          dryRun: options.dryRun,
          by,
          request,
          rate,
          txnId: txnId(),
        });
        const f = filterSql(selection.filter, { where: [], params: [run] });
        // letters a redrive produced only when asked for: a filter never loops on its own output
        if (!options.includeRedriven) f.where.push('redrive_of IS NULL');
        const where = f.where.length > 0 ? `WHERE ${f.where.join(' AND ')}` : '';
        const inserted = await tx.query(
          `INSERT INTO redrive_letters (run_id, letter_id, state)
           SELECT $1, id, 'pending' FROM dead_letters ${where}
           ORDER BY id LIMIT ${REDRIVE_MAX_LETTERS + 1}`,
          f.params,
        );
        matched = inserted.rowCount ?? 0;
        // a filter's letters redriven already are skipped, not refused: a filter run again after
        // a partial success sends the rest
        return settle(tx, run, matched, options, false);
      });
    },

    edit(letter, value, options, by) {
      return create(async (tx) => {
        const { rows } = await tx.query('SELECT 1 FROM dead_letters WHERE id = $1', [letter]);
        if (rows.length === 0) return { ok: false, error: 'not_found', ids: [letter] };
        const bytes = Buffer.from(value, 'utf8');
        const decoded = decodeOrder(bytes, { maxBytes: o.maxMessageBytes });
        if (!decoded.ok) {
          return {
            ok: false,
            error: 'invalid',
            reason: decoded.reason,
            problems: cappedProblems(decoded.problems),
          };
        }
        const run = await runs.insertRun(tx, {
          kind: 'edit',
          dryRun: options.dryRun,
          by,
          request: { letter, rate: REDRIVE_RATE.default, again: options.again },
          rate: REDRIVE_RATE.default,
          txnId: txnId(),
        });
        await tx.query(
          `INSERT INTO redrive_letters (run_id, letter_id, state, value) VALUES ($1, $2, 'pending', $3)`,
          [run, letter, bytes],
        );
        return settle(tx, run, 1, options, true);
      });
    },

    async get(run) {
      if (!Number.isSafeInteger(run) || run < 1) return undefined;
      const row = await runs.get(db, run);
      if (!row) return undefined;
      return toRun(row, row.dry_run ? undefined : await runs.counts(db, run));
    },

    async resume(run, by) {
      if (!Number.isSafeInteger(run) || run < 1) return undefined;
      if (await runs.resume(run, by)) o.wake();
      return this.get(run);
    },

    async cancel(run, by) {
      if (!Number.isSafeInteger(run) || run < 1) return undefined;
      await runs.cancel(run, by);
      return this.get(run);
    },
  };
}

/** A run row and its letters' counts (none for a dry run) as the API shows it. */
export function toRun(row: RunRow, progress: Progress | undefined): RedriveRun {
  const request = row.request as RedriveRun['request'] & { filter?: DeadLetterFilter };
  const skipped = progress ? progress.skipped_by_reason : row.skipped;
  const skippedTotal = Object.values(skipped).reduce((a, b) => a + b, 0);
  const sent = progress?.sent ?? 0;
  const outcomes = progress
    ? {
        stored: progress.stored,
        superseded: progress.superseded,
        dead_lettered: progress.dead_lettered,
        awaiting: sent - progress.stored - progress.superseded - progress.dead_lettered,
      }
    : { stored: 0, superseded: 0, dead_lettered: 0, awaiting: 0 };
  return {
    run: row.id,
    kind: row.kind,
    state: row.state,
    dry_run: row.dry_run,
    created_by: row.created_by,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    request: {
      ...(request.ids ? { ids: request.ids } : {}),
      ...(request.filter ? { filter: request.filter } : {}),
      ...(request.letter ? { letter: request.letter } : {}),
      rate: row.rate,
      again: request.again === true,
      include_redriven: request.include_redriven === true,
    },
    matched: row.matched,
    would_pass: row.would_pass,
    progress: {
      pending: progress ? progress.pending + progress.sending : 0,
      sent,
      skipped: skippedTotal,
      failed: progress?.failed ?? 0,
    },
    outcomes,
    skipped_by_reason: skipped,
    events: row.events as RedriveRun['events'],
  };
}
