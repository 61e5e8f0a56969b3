// The admin API's reads of the dead-letter ledger (the api's DeadLetterReader): pages newest first
// by (stored_at, id) with a keyset, one letter, and the summary. They run on a pool of their own
// (createAdminDb): its statement_timeout bounds each read and an operator's query never holds a
// batch writer's connection. A page or a letter is one statement, one round trip; the summary
// reads in one read-only transaction with a longer timeout. Each filter has an index that yields
// its rows in page order (migrations.ts step 3). Every SQL text here is built from fixed
// fragments; values only ever travel as parameters.
import type {
  DeadLetterFilter,
  DeadLetterPage,
  DeadLetterPosition,
  DeadLetterQuery,
  DeadLetterReader,
  DeadLetterRecord,
  DeadLetterSummary,
} from '@orders/api';
import { createDb, type Db, type Queryable } from './db.ts';
import type { Logger } from './logger.ts';

/**
 * The admin reads' pool: a few connections (with 50 requests in flight, 4 served about half of
 * what 10 did in bench:dead-letters), each statement cut at ADMIN_STATEMENT_TIMEOUT_MS.
 */
export const ADMIN_POOL_MAX = 8;
export const ADMIN_STATEMENT_TIMEOUT_MS = 5_000;
/** The summary reads the whole ledger's reason index (~1 s per million letters): more time. */
export const SUMMARY_TIMEOUT_MS = 20_000;

/** The pool the admin reads run on (connected on first use, so free while the API is off). */
export function createAdminDb(connectionString: string, logger: Logger): Db {
  return createDb({
    connectionString,
    applicationName: 'orders-admin',
    max: ADMIN_POOL_MAX,
    statementTimeoutMillis: ADMIN_STATEMENT_TIMEOUT_MS,
    logger,
  });
}

export type DeadLetterReadsOptions = {
  /** statement_timeout of the summary's transaction, ms (default SUMMARY_TIMEOUT_MS) */
  summaryTimeoutMs?: number;
};

/** A list of SQL conditions and the parameters they use (`$n` numbered from 1 in order). */
export type SqlFilter = { where: string[]; params: unknown[] };

/**
 * The conditions that select `filter`'s letters from `dead_letters` (no alias), appended to
 * `into` — the one translation of a DeadLetterFilter into SQL (the list here; a redrive by filter
 * selects with it too). A problem code is matched on the generated `problem_codes` array (its GIN
 * index and element statistics), never inside the jsonb.
 */
export function filterSql(filter: DeadLetterFilter, into: SqlFilter = { where: [], params: [] }) {
  const param = (value: unknown) => {
    into.params.push(value);
    return `$${into.params.length}`;
  };
  if (filter.reason !== undefined) into.where.push(`reason = ${param(filter.reason)}`);
  if (filter.problem !== undefined) {
    into.where.push(`problem_codes @> ARRAY[${param(filter.problem)}::text]`);
  }
  if (filter.uid !== undefined) into.where.push(`uid = ${param(filter.uid)}`);
  if (filter.partition !== undefined) {
    into.where.push(`src_partition = ${param(filter.partition)}::int`);
  }
  if (filter.since !== undefined) {
    into.where.push(`stored_at >= ${param(filter.since)}::timestamptz`);
  }
  if (filter.until !== undefined)
    into.where.push(`stored_at < ${param(filter.until)}::timestamptz`);
  return into;
}

// What a letter is read as, in one place: the list and `get` select the same columns from `d`.
// stored_at goes out as text with its microseconds (a JS Date would drop them, and a cursor made
// from a rounded time would skip or repeat letters sharing a millisecond). Redrives: each run
// that selected the letter, from redrive_letters (its letter_id index), in the api's LetterRedrive
// shape: `skipped` and `letter` only when they apply.
function letterColumns(value = 'd.value'): string {
  return `d.id, d.reason, d.problems, d.src_topic, d.src_partition, d.src_offset::text AS src_offset,
  (extract(epoch FROM d.src_timestamp) * 1000)::float8 AS src_ts_ms, d.key, d.uid,
  ${value} AS value, d.value_size, d.value_truncated,
  to_char(d.stored_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS stored_at,
  coalesce((
    SELECT jsonb_agg(jsonb_build_object('run', r.run_id, 'state', r.state, 'outcome', r.outcome,
        'sent_at', to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || jsonb_strip_nulls(jsonb_build_object(
        'skipped', CASE WHEN r.state = 'skipped' THEN r.reason END,
        'letter', r.outcome_letter_id))
      ORDER BY r.run_id)
    FROM redrive_letters r WHERE r.letter_id = d.id), '[]'::jsonb) AS redrives`;
}

type LetterRow = {
  id: number;
  reason: string;
  problems: unknown;
  src_topic: string;
  src_partition: number;
  src_offset: string;
  src_ts_ms: number | null;
  key: Buffer | null;
  uid: string | null;
  value: Buffer | null;
  value_size: number | null;
  value_truncated: boolean;
  stored_at: string;
  redrives: DeadLetterRecord['redrives'];
};

function toRecord(r: LetterRow): DeadLetterRecord {
  return {
    id: r.id,
    reason: r.reason,
    problems: r.problems,
    source: {
      topic: r.src_topic,
      partition: r.src_partition,
      offset: r.src_offset,
      timestamp: r.src_ts_ms === null ? null : Math.round(r.src_ts_ms),
    },
    key: r.key,
    uid: r.uid,
    value: r.value,
    size: r.value_size,
    truncated: r.value_truncated,
    storedAt: r.stored_at,
    redrives: r.redrives,
  };
}

/**
 * One page: the inner query walks an index in (stored_at, id) order and stops after `limit + 1`
 * rows (the one past the page says whether a next exists). A running sum of value sizes
 * (octet_length reads a TOASTed value's size without fetching it) cuts the page once it holds
 * `maxValueBytes`, so 100 letters of 2 MiB never load at once: a row past the cut comes back
 * without its value (never read), only to say that more follow.
 */
export function listSql(query: DeadLetterQuery): { text: string; params: unknown[] } {
  const f = filterSql(query.filter);
  if (query.after) {
    const at = `$${f.params.push(query.after.storedAt)}::timestamptz`;
    const id = `$${f.params.push(query.after.id)}::bigint`;
    f.where.push(`(stored_at, id) < (${at}, ${id})`);
  }
  const limit = `$${f.params.push(query.limit + 1)}::int`;
  const budget = `$${f.params.push(query.maxValueBytes)}::bigint`;
  const where = f.where.length > 0 ? `WHERE ${f.where.join(' AND ')}` : '';
  const text = `
SELECT ${letterColumns('CASE WHEN d.fits THEN d.value END')}, d.fits
FROM (
  SELECT page.*, sum(coalesce(octet_length(value), 0)) OVER newest
      - coalesce(octet_length(value), 0) < ${budget} AS fits
  FROM (SELECT * FROM dead_letters ${where}
        ORDER BY stored_at DESC, id DESC LIMIT ${limit}) AS page
  WINDOW newest AS (ORDER BY stored_at DESC, id DESC)
) AS d
ORDER BY d.stored_at DESC, d.id DESC`;
  return { text, params: f.params };
}

const GET_SQL = `SELECT ${letterColumns()} FROM dead_letters d WHERE d.id = $1`;

// The window: the current hour and the ones before it, empty hours included.
const PER_HOUR_SQL = `
SELECT to_char(h AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"') AS hour,
  coalesce(c.n, 0)::int AS count
FROM generate_series(date_trunc('hour', now()) - ($1::int - 1) * interval '1 hour',
  date_trunc('hour', now()), interval '1 hour') AS h
LEFT JOIN (
  SELECT date_trunc('hour', stored_at) AS at, count(*) AS n FROM dead_letters
  WHERE stored_at >= date_trunc('hour', now()) - ($1::int - 1) * interval '1 hour'
  GROUP BY 1
) AS c ON c.at = h
ORDER BY h`;

// By reason and by problem code in one pass over the reason index, which carries the codes
// (INCLUDE): an index-only scan, a fraction of the table's size (values stay in the heap).
const COUNTS_SQL = `
SELECT reason, problem_codes, count(*)::int AS n FROM dead_letters GROUP BY 1, 2`;

/** PostgreSQL's query_canceled: the statement_timeout ended the read. */
const QUERY_CANCELED = '57014';

export function createDeadLetterReads(
  db: Pick<Db, 'query' | 'withClient'>,
  options: DeadLetterReadsOptions = {},
): DeadLetterReader {
  const summaryTimeoutMs = options.summaryTimeoutMs ?? SUMMARY_TIMEOUT_MS;

  // A read the statement_timeout ended says so (the cause, logged by the API, keeps the rest).
  const timedOut = (error: unknown) => {
    if ((error as { code?: unknown }).code === QUERY_CANCELED) {
      return new Error('dead-letter read cancelled by its statement timeout', { cause: error });
    }
    return error;
  };
  async function read<R extends Record<string, unknown>>(text: string, params: unknown[]) {
    try {
      return (await db.query<R>(text, params)).rows;
    } catch (error) {
      throw timedOut(error);
    }
  }

  // One read-only transaction with its own statement_timeout; a cancelled statement leaves a
  // healthy connection, which goes back to the pool (withClient destroys it only when even the
  // ROLLBACK fails).
  async function readOnly<T>(ms: number, fn: (client: Queryable) => Promise<T>): Promise<T> {
    return db.withClient(async (client) => {
      await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.floor(ms)}`);
      let result: T;
      try {
        result = await fn(client);
      } catch (error) {
        await client.query('ROLLBACK');
        throw timedOut(error);
      }
      await client.query('COMMIT');
      return result;
    });
  }

  return {
    async list(query) {
      const { text, params } = listSql(query);
      const rows = await read<LetterRow & { fits: boolean }>(text, params);
      const letters: DeadLetterRecord[] = [];
      for (const row of rows) {
        if (letters.length === query.limit || !row.fits) break;
        letters.push(toRecord(row));
      }
      const last = letters[letters.length - 1];
      const next: DeadLetterPosition | null =
        last !== undefined && rows.length > letters.length
          ? { storedAt: last.storedAt, id: last.id }
          : null;
      return { letters, next } satisfies DeadLetterPage;
    },
    async get(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined;
      const rows = await read<LetterRow>(GET_SQL, [id]);
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async summary({ hours }) {
      const { counts, perHour } = await readOnly(summaryTimeoutMs, async (c) => ({
        counts: (
          await c.query<{ reason: string; problem_codes: string[] | null; n: number }>(COUNTS_SQL)
        ).rows,
        perHour: (await c.query<{ hour: string; count: number }>(PER_HOUR_SQL, [hours])).rows,
      }));
      const summary: DeadLetterSummary = { total: 0, byReason: {}, byProblem: {}, perHour };
      for (const { reason, problem_codes, n } of counts) {
        summary.total += n;
        summary.byReason[reason] = (summary.byReason[reason] ?? 0) + n;
        for (const code of problem_codes ?? []) {
          summary.byProblem[code] = (summary.byProblem[code] ?? 0) + n;
        }
      }
      return summary;
    },
  };
}

/** Ledger rows not yet on the dead-letter topic (the partial index `dead_letters_unpublished`). */
export async function countUnpublished(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM dead_letters WHERE published_at IS NULL',
  );
  return rows[0]?.n ?? 0;
}
