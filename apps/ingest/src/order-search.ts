// The API's `/orders/search` over PostgreSQL (@orders/api's OrderSearch): the columns the upsert
// writes with each order (migrations.ts step 5) and their indexes (search-fill.ts), each of which
// yields its rows in page order, (date_created DESC, id DESC), so a page, first or deep, reads
// about `limit` rows whatever the table holds. The summaries are computed from `data` by the
// same rules as the recent list (orders-repo.ts). SQL texts are built from fixed fragments;
// values only travel as parameters. Searches run on a pool of their own (createSearchDb), never
// on the batch writers' (DB_POOL_MAX is 4 by default); each holds a connection for at most its
// budget, enforced by statement_timeout too.
import type { OrderSearch, OrderSearchPage, OrderSearchQuery } from '@orders/api';
import { createDb, type Db } from './db.ts';
import type { Logger } from './logger.ts';

/** Searches at once; more wait (within their budget) for a slot. */
export const SEARCH_MAX_QUERIES = 4;

/**
 * The searches' pool, connected on first use: their slots, plus one for the search fill
 * (search-fill.ts), whose index builds can hold a connection for minutes.
 */
export function createSearchDb(connectionString: string, logger: Logger): Db {
  return createDb({
    connectionString,
    applicationName: 'orders-search',
    max: SEARCH_MAX_QUERIES + 1,
    logger,
  });
}

/** PostgreSQL's query_canceled: the statement_timeout ended the search. */
const QUERY_CANCELED = '57014';

type Row = {
  id: number;
  order_uid: string;
  track_number: string | null;
  date_created: string | null;
  customer_id: string | null;
  amount: string | null;
  currency: string | null;
  items: number;
  at_us: string;
};

/** The statement for a query (exported for tests): conditions in a fixed order, `$n` in order. */
export function searchSql(query: OrderSearchQuery): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = ['date_created IS NOT NULL'];
  if (query.trackNumber !== undefined) where.push(`track_number = ${p(query.trackNumber)}::text`);
  if (query.customerId !== undefined) where.push(`customer_id = ${p(query.customerId)}::text`);
  if (query.from !== undefined) where.push(`date_created >= ${p(query.from)}::timestamptz`);
  if (query.to !== undefined) where.push(`date_created < ${p(query.to)}::timestamptz`);
  if (query.after !== undefined) {
    // µs as interval text: exact, where a float8 seconds value would round
    const at = `(timestamptz 'epoch' + (${p(String(query.after.dateCreatedMicros))}::int8 || ' microseconds')::interval)`;
    where.push(`(date_created, id) < (${at}, ${p(query.after.id)}::int8)`);
  }
  const limit = p(query.limit + 1);
  const text = `
SELECT o.id, o.order_uid,
  CASE WHEN jsonb_typeof(s.track_number) = 'string' THEN s.track_number #>> '{}' END AS track_number,
  CASE WHEN jsonb_typeof(s.date_created) = 'string' THEN s.date_created #>> '{}' END AS date_created,
  CASE WHEN jsonb_typeof(s.customer_id) = 'string' THEN s.customer_id #>> '{}' END AS customer_id,
  CASE WHEN jsonb_typeof(s.payment -> 'amount') = 'number' THEN s.payment ->> 'amount' END AS amount,
  CASE WHEN jsonb_typeof(s.payment -> 'currency') = 'string' THEN s.payment ->> 'currency' END
    AS currency,
  CASE WHEN jsonb_typeof(s.items) = 'array' THEN jsonb_array_length(s.items) ELSE 0 END AS items,
  ((extract(epoch FROM o.date_created) * 1000000)::int8)::text AS at_us
FROM (SELECT id, order_uid, data, date_created FROM orders WHERE ${where.join(' AND ')}
      ORDER BY date_created DESC, id DESC LIMIT ${limit}::int) o
CROSS JOIN LATERAL jsonb_to_record(o.data)
  AS s(track_number jsonb, date_created jsonb, customer_id jsonb, payment jsonb, items jsonb)
ORDER BY o.date_created DESC, o.id DESC`;
  return { text, params };
}

function toPage(rows: Row[], limit: number): OrderSearchPage {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    orders: page.map(({ at_us: _, amount, ...r }) => ({
      ...r,
      // as text: a JSON number outside float8 would fail a cast; Number() reads it as JSON.parse
      amount: amount === null ? null : Number(amount),
    })),
    next:
      rows.length > limit && last ? { dateCreatedMicros: BigInt(last.at_us), id: last.id } : null,
  };
}

export function createOrderSearch(
  db: Pick<Db, 'withClient'>,
  options: { maxQueries?: number } = {},
): OrderSearch {
  const maxQueries = options.maxQueries ?? SEARCH_MAX_QUERIES;
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  // a slot, or the reason there is none by the deadline or the caller's abort
  const acquire = (deadline: number, signal: AbortSignal): Promise<unknown> => {
    if (running < maxQueries) {
      running++;
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        running++;
        resolve(undefined);
      };
      const leave = (reason: unknown) => {
        const i = waiting.indexOf(grant);
        if (i !== -1) waiting.splice(i, 1);
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        resolve(reason);
      };
      const abort = () => leave(signal.reason);
      const timer = setTimeout(
        () => leave(new Error('no search slot within the budget')),
        Math.max(0, deadline - performance.now()),
      );
      signal.addEventListener('abort', abort, { once: true });
      waiting.push(grant);
    });
  };

  return async (query, { timeoutMs, signal }) => {
    const deadline = performance.now() + timeoutMs;
    const refused = await acquire(deadline, signal);
    if (refused !== undefined) throw refused;
    try {
      const { text, params } = searchSql(query);
      const outcome = await db.withClient(async (client) => {
        // returned, not thrown: withClient destroys a client whose callback throws
        if (signal.aborted) return { error: signal.reason as unknown };
        const left = Math.floor(deadline - performance.now());
        if (left < 1) return { error: new Error(`no database connection within ${timeoutMs} ms`) };
        await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${left}`);
        try {
          const { rows } = await client.query<Row>(text, params);
          await client.query('COMMIT');
          return { rows, error: undefined };
        } catch (error) {
          try {
            await client.query('ROLLBACK');
          } catch {
            throw error;
          }
          if ((error as { code?: unknown }).code === QUERY_CANCELED) {
            return { error: new Error('order search cancelled by its statement timeout') };
          }
          throw error;
        }
      });
      if (outcome.rows === undefined) throw outcome.error;
      return toPage(outcome.rows, query.limit);
    } finally {
      release();
    }
  };
}
