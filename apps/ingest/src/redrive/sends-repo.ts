// The runner's statements (runner.ts, reconcile.ts), fenced by the run's lease: each runs under
// `owner = $me` on the run's row (its row lock orders them against a takeover, as consumer_offsets
// does for batches), so a sender that lost the run writes nothing more.
import type { Db, Queryable } from '../db.ts';
import { type ChunkRow, event, RUN_COLUMNS, type RunRow } from './run-rows.ts';

export function createSendsRepo(db: Pick<Db, 'query' | 'transaction'>) {
  return {
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
  };
}
