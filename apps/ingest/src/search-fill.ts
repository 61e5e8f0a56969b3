// The search columns' indexes and the fill of rows stored before migration step 5, run in the
// background once ingest has started, never in the start's migration transaction: each index is
// built CONCURRENTLY (upserts go on meanwhile) and rows are filled by id range, one short
// statement per batch that also advances the position in `orders_search_fill`, so a stop or a
// crash resumes where it was. A session advisory lock lets one instance at a time do it (two
// concurrent index builds on one table wait on each other).
import type { Db, Queryable } from './db.ts';
import type { Logger } from './logger.ts';

// Arbitrary constant: "search" in ASCII, fits in int8.
/** the session advisory lock one filling instance holds (a holder keeps every other from filling) */
export const FILL_LOCK_KEY = 0x736561726368;

/** Each serves one filter in the search's page order, (date_created DESC, id DESC). */
export const SEARCH_INDEXES: readonly { name: string; definition: string }[] = [
  {
    name: 'orders_search_track',
    definition:
      'ON orders (track_number, date_created DESC, id DESC) WHERE track_number IS NOT NULL',
  },
  {
    name: 'orders_search_customer',
    definition: 'ON orders (customer_id, date_created DESC, id DESC) WHERE customer_id IS NOT NULL',
  },
  {
    name: 'orders_search_date',
    definition: 'ON orders (date_created DESC, id DESC) WHERE date_created IS NOT NULL',
  },
];

// One batch: the rows of [$1, $2) still without columns, and the position, in one statement (one
// transaction). A row an upsert changes meanwhile is re-read after its lock (READ COMMITTED), so
// the columns always come from the row's current `data`.
const BATCH_SQL = `
WITH filled AS (
  UPDATE orders SET track_number = data ->> 'track_number', customer_id = data ->> 'customer_id'
  WHERE id >= $1 AND id < $2 AND track_number IS NULL
  RETURNING 1
)
UPDATE orders_search_fill SET next_id = $2
RETURNING (SELECT count(*) FROM filled)::int AS n`;

export type FillOptions = {
  /** rows per batch by id range (default 5,000) */
  batchRows?: number;
  /** pause between batches, ms (default 20): leaves the disk to the upserts */
  pauseMs?: number;
  isStopping?: () => boolean;
  logger?: Logger;
  /** told the fill's backend pid once it has the lock (to cancel a long index build at stop) */
  onBackend?: (pid: number) => void;
};

export type FillOutcome = 'done' | 'busy' | 'stopped';

/** Builds the missing indexes, then fills the remaining batches; 'busy' when another instance does. */
export function fillSearchColumns(db: Pick<Db, 'withClient'>, options: FillOptions = {}) {
  const batchRows = options.batchRows ?? 5_000;
  const pauseMs = options.pauseMs ?? 20;
  const stopping = options.isStopping ?? (() => false);
  return db.withClient(async (client): Promise<FillOutcome> => {
    const lock = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [
      FILL_LOCK_KEY,
    ]);
    if (!lock.rows[0]?.got) return 'busy';
    const backend = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    options.onBackend?.(backend.rows[0]?.pid ?? 0);
    try {
      for (const index of SEARCH_INDEXES) {
        if (stopping()) return 'stopped';
        await ensureIndex(client, index.name, index.definition, options.logger);
      }
      let filled = 0;
      for (;;) {
        const state = await client.query<{ next_id: number; upper_id: number; done: boolean }>(
          'SELECT next_id, upper_id, done_at IS NOT NULL AS done FROM orders_search_fill',
        );
        const at = state.rows[0];
        if (at === undefined || at.done) return 'done';
        if (at.next_id > at.upper_id) {
          await client.query('UPDATE orders_search_fill SET done_at = now()');
          options.logger?.info('search columns filled', { rows: filled });
          return 'done';
        }
        if (stopping()) return 'stopped';
        const batch = await client.query<{ n: number }>(BATCH_SQL, [
          at.next_id,
          at.next_id + batchRows,
        ]);
        filled += batch.rows[0]?.n ?? 0;
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [FILL_LOCK_KEY]);
    }
  });
}

// A build that failed (cancelled, the server restarted) leaves an INVALID index that IF NOT EXISTS
// would take as done: it is dropped and built again.
async function ensureIndex(
  client: Queryable,
  name: string,
  definition: string,
  logger: Logger | undefined,
): Promise<void> {
  const { rows } = await client.query<{ valid: boolean }>(
    'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
    [name],
  );
  if (rows[0]?.valid === true) return;
  // a build reads the whole table twice: the pool's statement_timeout must not cut it
  await client.query('SET statement_timeout = 0');
  try {
    if (rows[0] !== undefined) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    const started = performance.now();
    await client.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`);
    logger?.info('search index built', {
      index: name,
      ms: Math.round(performance.now() - started),
    });
  } finally {
    await client.query('RESET statement_timeout');
  }
}

export type SearchFill = { stop(): Promise<void> };

/**
 * Runs the fill in the background until done; retried every `retryMs` when busy or failing. stop()
 * waits up to `stopWaitMs` for the batch in hand, then cancels the statement (an index build can
 * take minutes; the next start drops the invalid index and builds it again).
 */
export function startSearchFill(
  db: Pick<Db, 'withClient' | 'query'>,
  options: FillOptions & { retryMs?: number; stopWaitMs?: number } = {},
): SearchFill {
  let stopped = false;
  let wake: () => void = () => {};
  let pid = 0;
  const retryMs = options.retryMs ?? 30_000;
  const isStopping = () => stopped || (options.isStopping?.() ?? false);
  const run = (async () => {
    while (!isStopping()) {
      try {
        const outcome = await fillSearchColumns(db, {
          ...options,
          isStopping,
          onBackend: (p) => {
            pid = p;
          },
        });
        pid = 0;
        if (outcome === 'done') return;
      } catch (err) {
        pid = 0;
        if (isStopping()) return;
        options.logger?.warn('search fill failed, retrying', {
          err: { message: err instanceof Error ? err.message : String(err) },
        });
      }
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, retryMs).unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake();
      const waited = await Promise.race([
        run.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), options.stopWaitMs ?? 1_000)),
      ]);
      if (waited) return;
      if (pid !== 0) await db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => {});
      await run;
    },
  };
}
