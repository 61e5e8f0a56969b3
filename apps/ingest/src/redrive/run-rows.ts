// The rows of the redrive state (migrations.ts step 4) as the repos read them, and the pieces
// both repos build their statements from.
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

export const LETTER_STATES = ['pending', 'sending', 'sent', 'skipped', 'failed'] as const;

export const ISO = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const RUN_COLUMNS = `id, kind, dry_run, state, created_by, ${ISO('created_at')} AS created_at,
  request, rate, matched, would_pass, skipped, events, txn_id, owner, scan_from,
  ${ISO('started_at')} AS started_at, ${ISO('finished_at')} AS finished_at`;

/** An event of the run's history, as appended to `events`. */
export function event(fields: Record<string, unknown>): string {
  return JSON.stringify([{ at: new Date().toISOString(), ...fields }]);
}
