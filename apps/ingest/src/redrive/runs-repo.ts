// SQL of the redrive state (migrations.ts step 4): runs, and one row per (run, letter). The
// runner's statements are fenced by the run's lease: each runs under `owner = $me` on the run's
// row (its row lock orders them against a takeover, as consumer_offsets does for batches), so a
// sender that lost the run writes nothing more.
import type { Db, Queryable } from '../db.ts';

export type RunRow = {
  id: number;
  kind: 'ids' | 'filter' | 'edit';
  dry_run: boolean;
  state: 'running' | 'done' | 'cancelled';
  created_by: string;
  created_at: string;
  request: Record<string, unknown>;
  rate: number;
  matched: number;
  would_pass: number;
  skipped: Record<string, number>;
  events: Record<string, unknown>[];
  txn_id: string;
  owner: string | null;
  scan_from: Record<string, string>;
  started_at: string | null;
  finished_at: string | null;
};

/** A letter to send: the ledger's key and headers, the value (corrected, for an edit). */
export type ChunkRow = {
  letter_id: number;
  value: Buffer | null;
  edited: boolean;
  value_truncated: boolean;
  key: Buffer | null;
  headers: { name: string; value: string }[];
  src_topic: string;
  src_partition: number;
};

export type Progress = {
  pending: number;
  sending: number;
  sent: number;
  skipped: number;
  failed: number;
  stored: number;
  superseded: number;
  dead_lettered: number;
  skipped_by_reason: Record<string, number>;
};

const LETTER_STATES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;

const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RUN_COLUMNS = `id, kind, dry_run, state, created_by, ${ISO('created_at')} AS created_at,
  request, rate, matched, would_pass, skipped, events, txn_id, owner, scan_from,
  ${ISO('started_at')} AS started_at, ${ISO('finished_at')} AS finished_at`;

/** An event of the run's history, as appended to `events`. */
export function event(fields: Record<string, unknown>): string {
  return JSON.stringify([{ at: new Date().toISOString(), ...fields }]);
}

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

    // ---- the runner's statements, under the lease -------------------------------------------

    /** running runs nobody holds (or whose holder's lease ran out) */
    async claimable(): Promise<number[]> {
      const { rows } = await db.query<{ id: number }>(
        `SELECT id FROM redrive_runs
         WHERE state = 'running' AND (owner IS NULL OR lease_until < now()) ORDER BY id`,
      );
      return rows.map((r) => r.id);
    },

    async claim(run: number, owner: string, leaseMs: number): Promise<RunRow | undefined> {
      const { rows } = await db.query<RunRow>(
        `UPDATE redrive_runs SET owner = $2, lease_until = now() + $3 * interval '1 millisecond',
           started_at = coalesce(started_at, now()), events = events || $4::jsonb
         WHERE id = $1 AND state = 'running' AND (owner IS NULL OR lease_until < now())
         RETURNING ${RUN_COLUMNS}`,
        [run, owner, leaseMs, event({ event: 'claimed', instance: owner })],
      );
      return rows[0];
    },

    /** false: the run is not ours anymore (taken over, cancelled) */
    async renew(q: Queryable, run: number, owner: string, leaseMs: number): Promise<boolean> {
      const { rowCount } = await q.query(
        `UPDATE redrive_runs SET lease_until = now() + $3 * interval '1 millisecond'
         WHERE id = $1 AND owner = $2 AND state = 'running'`,
        [run, owner, leaseMs],
      );
      return rowCount === 1;
    },

    async release(run: number, owner: string): Promise<void> {
      await db.query(
        'UPDATE redrive_runs SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $2',
        [run, owner],
      );
    },

    async nextChunk(run: number, limit: number): Promise<ChunkRow[]> {
      const { rows } = await db.query<ChunkRow>(
        `SELECT rl.letter_id, coalesce(rl.value, d.value) AS value, rl.value IS NOT NULL AS edited,
           d.value_truncated, d.key, d.headers, d.src_topic, d.src_partition
         FROM redrive_letters rl JOIN dead_letters d ON d.id = rl.letter_id
         WHERE rl.run_id = $1 AND rl.state = 'pending'
         ORDER BY rl.letter_id LIMIT $2`,
        [run, limit],
      );
      return rows;
    },

    /**
     * Before a chunk goes out: the lease renewed, where a scan would start, and the letters marked
     * 'sending', in one transaction. false: the run is not ours (nothing marked).
     */
    markSending(
      run: number,
      owner: string,
      leaseMs: number,
      letters: number[],
      scanFrom: Record<string, string>,
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          `UPDATE redrive_runs SET lease_until = now() + $3 * interval '1 millisecond',
             scan_from = $4
           WHERE id = $1 AND owner = $2 AND state = 'running'`,
          [run, owner, leaseMs, JSON.stringify(scanFrom)],
        );
        if (rowCount !== 1) return false;
        await tx.query(
          `UPDATE redrive_letters SET state = 'sending'
           WHERE run_id = $1 AND letter_id = ANY($2::bigint[]) AND state = 'pending'`,
          [run, letters],
        );
        return true;
      });
    },

    /** sent (committed on the topic): where each letter went; false: the run is not ours */
    markSent(
      run: number,
      owner: string,
      sent: { letter: number; partition: number | null; offset: string | null }[],
    ): Promise<boolean> {
      return db.transaction(async (tx) => {
        const { rowCount } = await tx.query(
          'SELECT 1 FROM redrive_runs WHERE id = $1 AND owner = $2 FOR UPDATE',
          [run, owner],
        );
        if (rowCount !== 1) return false;
        await tx.query(
          `UPDATE redrive_letters rl SET state = 'sent', sent_at = now(), sent_partition = x.p,
             sent_offset = x.o
           FROM jsonb_to_recordset($2::jsonb) AS x(letter bigint, p int, o bigint)
           WHERE rl.run_id = $1 AND rl.letter_id = x.letter AND rl.state = 'sending'`,
          [
            run,
            JSON.stringify(sent.map((s) => ({ letter: s.letter, p: s.partition, o: s.offset }))),
          ],
        );
        return true;
      });
    },

    /** letters whose transaction certainly did not commit, pending again */
    async backToPending(run: number, letters: number[]): Promise<void> {
      await db.query(
        `UPDATE redrive_letters SET state = 'pending'
         WHERE run_id = $1 AND letter_id = ANY($2::bigint[]) AND state = 'sending'`,
        [run, letters],
      );
    },

    async markFailed(run: number, letter: number, reason: string): Promise<void> {
      await db.query(
        `UPDATE redrive_letters SET state = 'failed', reason = $3
         WHERE run_id = $1 AND letter_id = $2 AND state IN ('pending', 'sending')`,
        [run, letter, reason],
      );
    },

    /** the letters a stopped sender left 'sending', and whether ingest already consumed each */
    async sending(run: number): Promise<{ letter: number; consumed: boolean }[]> {
      const { rows } = await db.query<{ letter_id: number; consumed: boolean }>(
        `SELECT letter_id, outcome IS NOT NULL AS consumed FROM redrive_letters
         WHERE run_id = $1 AND state = 'sending' ORDER BY letter_id`,
        [run],
      );
      return rows.map((r) => ({ letter: r.letter_id, consumed: r.consumed }));
    },

    async addEvent(run: number, fields: Record<string, unknown>): Promise<void> {
      await db.query('UPDATE redrive_runs SET events = events || $2::jsonb WHERE id = $1', [
        run,
        event(fields),
      ]);
    },

    /** done once nothing is left to send; false while letters are left (or not ours) */
    async finish(run: number, owner: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE redrive_runs SET state = 'done', finished_at = now(), owner = NULL,
           lease_until = NULL, events = events || $3::jsonb
         WHERE id = $1 AND owner = $2 AND state = 'running' AND NOT EXISTS (
           SELECT 1 FROM redrive_letters WHERE run_id = $1 AND state IN ('pending', 'sending'))`,
        [run, owner, event({ event: 'done' })],
      );
      return rowCount === 1;
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
