// SQL of the redrive state (migrations.ts step 4): runs, and one row per (run, letter) — what
// creating, reading, cancelling and resuming a run needs, plus the runner's statements under its
// lease (sends-repo.ts).
import type { Db, Queryable } from '../db.ts';
import { event, LETTER_STATES, type Progress, RUN_COLUMNS, type RunRow } from './run-rows.ts';
import { createSendsRepo } from './sends-repo.ts';

export type { ChunkRow, Progress, RunRow } from './run-rows.ts';

// Letters already redriven by another run: stored or superseded, sent and not consumed yet, or
// waiting in a run still running. `again` sends them anyway.
const REDRIVEN_ELSEWHERE = `EXISTS (
  SELECT 1 FROM redrive_letters o JOIN redrive_runs r ON r.id = o.run_id
  WHERE o.letter_id = rl.letter_id AND o.run_id <> rl.run_id AND NOT r.dry_run AND (
    o.outcome IN ('stored', 'superseded')
    OR (o.state = 'sent' AND o.outcome IS NULL)
    OR (o.state IN ('pending', 'sending') AND r.state = 'running')))`;

export function createRunsRepo(db: Pick<Db, 'query' | 'transaction'>) {
  return {
    ...createSendsRepo(db),
    async insertRun(
      tx: Queryable,
      run: {
        kind: RunRow['kind'];
        dryRun: boolean;
        by: string;
        request: Record<string, unknown>;
        rate: number;
        txnId: string;
      },
    ): Promise<number> {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO redrive_runs (kind, dry_run, state, created_by, request, rate, matched,
           would_pass, txn_id, events)
         VALUES ($1, $2, 'running', $3, $4, $5, 0, 0, $6, $7) RETURNING id`,
        [
          run.kind,
          run.dryRun,
          run.by,
          JSON.stringify(run.request),
          run.rate,
          run.txnId,
          event({ event: 'created', by: run.by }),
        ],
      );
      return (rows[0] as { id: number }).id;
    },

    /** the run's letters already redriven elsewhere, marked skipped (returned) */
    async skipRedrivenElsewhere(tx: Queryable, run: number): Promise<number[]> {
      const { rows } = await tx.query<{ letter_id: number }>(
        `UPDATE redrive_letters rl SET state = 'skipped', reason = 'already_redriven'
         WHERE rl.run_id = $1 AND rl.state = 'pending' AND ${REDRIVEN_ELSEWHERE}
         RETURNING rl.letter_id`,
        [run],
      );
      return rows.map((r) => r.letter_id);
    },

    /** pending letters after `after` (by id), with what validation reads */
    async pendingPage(tx: Queryable, run: number, after: number, limit: number) {
      const { rows } = await tx.query<{
        letter_id: number;
        value: Buffer | null;
        edited: boolean;
        value_truncated: boolean;
      }>(
        `SELECT rl.letter_id, coalesce(rl.value, d.value) AS value, rl.value IS NOT NULL AS edited,
           d.value_truncated
         FROM redrive_letters rl JOIN dead_letters d ON d.id = rl.letter_id
         WHERE rl.run_id = $1 AND rl.state = 'pending' AND rl.letter_id > $2
         ORDER BY rl.letter_id LIMIT $3`,
        [run, after, limit],
      );
      return rows;
    },

    async skip(
      q: Queryable,
      run: number,
      letters: { letter: number; reason: string; problems: unknown }[],
    ): Promise<void> {
      if (letters.length === 0) return;
      await q.query(
        `UPDATE redrive_letters rl SET state = 'skipped', reason = x.reason, problems = x.problems
         FROM jsonb_to_recordset($2::jsonb) AS x(letter bigint, reason text, problems jsonb)
         WHERE rl.run_id = $1 AND rl.letter_id = x.letter AND rl.state IN ('pending', 'sending')`,
        [run, JSON.stringify(letters)],
      );
    },

    async counts(q: Queryable, run: number): Promise<Progress> {
      const { rows } = await q.query<{
        state: string;
        reason: string | null;
        outcome: string | null;
        n: number;
      }>(
        `SELECT state, reason, outcome, count(*)::int AS n FROM redrive_letters WHERE run_id = $1
         GROUP BY 1, 2, 3`,
        [run],
      );
      const p: Progress = {
        pending: 0,
        sending: 0,
        sent: 0,
        skipped: 0,
        failed: 0,
        stored: 0,
        superseded: 0,
        dead_lettered: 0,
        skipped_by_reason: {},
      };
      for (const r of rows) {
        if ((LETTER_STATES as readonly string[]).includes(r.state)) {
          p[r.state as (typeof LETTER_STATES)[number]] += r.n;
        }
        if (r.state === 'skipped' && r.reason) {
          p.skipped_by_reason[r.reason] = (p.skipped_by_reason[r.reason] ?? 0) + r.n;
        }
        if (r.outcome === 'stored' || r.outcome === 'superseded' || r.outcome === 'dead_lettered') {
          p[r.outcome] += r.n;
        }
      }
      return p;
    },

    async finishCreate(
      tx: Queryable,
      run: number,
      f: { matched: number; wouldPass: number; skipped: Record<string, number>; done: boolean },
    ): Promise<void> {
      await tx.query(
        `UPDATE redrive_runs SET matched = $2, would_pass = $3, skipped = $4,
           state = CASE WHEN $5 THEN 'done' ELSE state END,
           finished_at = CASE WHEN $5 THEN now() END,
           events = CASE WHEN $5 THEN events || $6::jsonb ELSE events END
         WHERE id = $1`,
        [run, f.matched, f.wouldPass, JSON.stringify(f.skipped), f.done, event({ event: 'done' })],
      );
    },

    async get(q: Queryable, run: number): Promise<RunRow | undefined> {
      const { rows } = await q.query<RunRow>(
        `SELECT ${RUN_COLUMNS} FROM redrive_runs WHERE id = $1`,
        [run],
      );
      return rows[0];
    },

    async cancel(run: number, by: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE redrive_runs SET state = 'cancelled', finished_at = now(),
           events = events || $2::jsonb
         WHERE id = $1 AND state = 'running' AND NOT dry_run`,
        [run, event({ event: 'cancelled', by })],
      );
      return rowCount === 1;
    },

    /** a cancelled run running again, or a running one's resume noted */
    async resume(run: number, by: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE redrive_runs SET state = 'running', finished_at = NULL,
           events = events || $2::jsonb
         WHERE id = $1 AND state IN ('running', 'cancelled') AND NOT dry_run`,
        [run, event({ event: 'resume_asked', by })],
      );
      return rowCount === 1;
    },
  };
}

export type RunsRepo = ReturnType<typeof createRunsRepo>;
