// SQL for the orders table: one multi-row idempotent upsert per batch, reads for the API
// (read-through), and the keyset scan used by the memory restore.
//
// Rows go in input (offset) order, so ids follow Kafka order within a partition. Two partitions'
// batches that share uids (only with an unkeyed producer) can deadlock; PostgreSQL aborts one
// (40P01) and the pipeline retries it like any transient failure.
//
// Version order ("newer wins"): producers key messages by order_uid, so every version of one uid
// lands on one partition, where the offset is the version order. The upsert therefore only
// replaces a row when the incoming (partition, offset) is later on the same partition; a replay of
// an older message (redelivery after a crash or rebalance) is skipped. When the partition differs
// (topic repartitioned, or an unkeyed producer) offsets are not comparable, so the Kafka message
// timestamp decides, ties going to the incoming message. Known limit: deleting and recreating the
// topic restarts offsets at 0, so later versions of already-stored uids would look older; an
// operator recreating the topic must also truncate `orders` (or start a fresh database).
import type { OrderReader } from '@orders/api';
import type { StoredOrder } from '@orders/store';
import type { Db, Queryable } from './db.ts';
import type { ValidOrder } from './handle-batch.ts';

export type UpsertOutcome = {
  /** rows written (inserted or replaced) with their PostgreSQL ids, in input order */
  written: { id: number; uid: string; inserted: boolean; changed: boolean }[];
  inserted: number;
  /** replaced by a newer version (content changed) */
  updated: number;
  /** a newer offset carrying identical content (e.g. a producer retry): offsets advance only */
  unchanged: number;
  /** skipped by the version guard: redelivery of the stored version, or an older one */
  skipped: number;
};

// `now()` is the transaction's start time, so `updated_at = now()` in RETURNING tells "changed in
// this statement" apart from "same bytes re-sent" (updated_at kept) without a second query.
//
// Parameters avoid node-postgres's array serialisation (it escapes every element) and PostgreSQL's
// array parser: the bodies travel as ONE binary parameter, the canonical UTF-8 bytes joined by
// 0x1E (RECORD SEPARATOR), which `$2::text` receives as is (a text's binary form is its bytes) and
// string_to_table splits: each piece is byte for byte the canonical body, parsed once by
// `e::jsonb` for `data`. 0x1E cannot occur in JSON text (control characters inside strings are
// always escaped; in UTF-8 it is never part of a multi-byte sequence), so the split is exact.
// uids ([A-Za-z0-9_-]) and ETags ("base64url") contain no comma and are joined by ','; numbers go
// as array literals built by join. Measured (bench/ingest.bench.ts and one-off variants, see
// README): a text[] of bodies ran ~9,000 rows/s on one connection, one `json` array parameter
// ~19,000 (but each body parsed twice), and this form saves another ~15 µs of PostgreSQL time per
// row plus the string round trip in Node. The search columns (migrations.ts step 5) are read from
// the parsed `j`; OFFSET 0 keeps the subquery from being flattened, which would copy `e::jsonb`
// into each of its three uses and parse every body three times.
const UPSERT_SQL = `
INSERT INTO orders AS o
  (order_uid, data, body, etag, date_created, src_partition, src_offset, src_timestamp,
   track_number, customer_id)
SELECT u, j, e, t, to_timestamp(d / 1000.0), p, f, to_timestamp(ts / 1000.0),
  j ->> 'track_number', j ->> 'customer_id'
FROM (
  SELECT i.*, e::jsonb AS j FROM ROWS FROM (
    string_to_table($1::text, ','), string_to_table($2::text, E'\\x1e'),
    string_to_table($3::text, ','), unnest($4::float8[]), unnest($5::int[]), unnest($6::bigint[]),
    unnest($7::float8[])
  ) AS i(u, e, t, d, p, f, ts)
  OFFSET 0
) AS i
ON CONFLICT (order_uid) DO UPDATE SET
  data = CASE WHEN o.body = excluded.body THEN o.data ELSE excluded.data END,
  body = excluded.body,
  etag = excluded.etag,
  date_created = excluded.date_created,
  track_number = excluded.track_number,
  customer_id = excluded.customer_id,
  src_partition = excluded.src_partition,
  src_offset = excluded.src_offset,
  src_timestamp = excluded.src_timestamp,
  version = o.version + (o.body IS DISTINCT FROM excluded.body)::int,
  updated_at = CASE WHEN o.body = excluded.body THEN o.updated_at ELSE now() END
WHERE CASE
  WHEN o.src_partition = excluded.src_partition THEN excluded.src_offset > o.src_offset
  ELSE excluded.src_timestamp >= o.src_timestamp
END
RETURNING id, order_uid, (xmax = 0) AS inserted, (updated_at = now()) AS changed`;

const RECORD_SEPARATOR = Buffer.from([0x1e]);

/** The statement's parameters for a batch (exported for tests). */
export function upsertParams(orders: ValidOrder[]): unknown[] {
  const n = orders.length;
  const parts = new Array<Buffer>(2 * n - 1);
  let bytes = n - 1;
  let uids = '';
  let etags = '';
  let dates = '';
  let partitions = '';
  let offsets = '';
  let timestamps = '';
  for (let i = 0; i < n; i++) {
    const o = orders[i] as ValidOrder;
    const sep = i === 0 ? '' : ',';
    parts[2 * i] = o.body;
    if (i > 0) parts[2 * i - 1] = RECORD_SEPARATOR;
    bytes += o.body.length;
    uids += sep + o.uid;
    etags += sep + o.etag;
    dates += sep + (o.dateCreated === null ? 'NULL' : String(o.dateCreated));
    partitions += sep + String(o.partition);
    offsets += sep + o.offset;
    timestamps += sep + String(Number(o.timestamp) || 0);
  }
  return [
    uids,
    Buffer.concat(parts, bytes),
    etags,
    `{${dates}}`,
    `{${partitions}}`,
    `{${offsets}}`,
    `{${timestamps}}`,
  ];
}

export async function upsertOrders(db: Queryable, orders: ValidOrder[]): Promise<UpsertOutcome> {
  if (orders.length === 0) {
    return { written: [], inserted: 0, updated: 0, unchanged: 0, skipped: 0 };
  }
  const { rows } = await db.query<{
    id: number;
    order_uid: string;
    inserted: boolean;
    changed: boolean;
  }>(UPSERT_SQL, upsertParams(orders));
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  const written = rows.map((r) => {
    if (r.inserted) inserted++;
    else if (r.changed) updated++;
    else unchanged++;
    return { id: r.id, uid: r.order_uid, inserted: r.inserted, changed: r.inserted || r.changed };
  });
  return { written, inserted, updated, unchanged, skipped: orders.length - rows.length };
}

type Row = {
  id: number;
  order_uid: string;
  body: string;
  etag: string;
  date_ms: number | null;
  src_partition: number;
};

const SELECT_COLUMNS = `id, order_uid, body, etag,
  (extract(epoch FROM date_created) * 1000)::float8 AS date_ms, src_partition`;

function toStored(r: Row): StoredOrder {
  return {
    id: r.id,
    uid: r.order_uid,
    body: Buffer.from(r.body, 'utf8'),
    etag: r.etag,
    dateCreated: r.date_ms ?? 0,
    partition: r.src_partition,
  };
}

/**
 * A restore page: every body encoded into ONE buffer, each order's body a view of it. Per-row
 * Buffer.from took 8 KiB pool slabs from malloc, ~140 MB of them per 100,000 restored orders, and
 * their freed fragments stayed in the process's RSS; one large buffer per page is its own mapping,
 * returned whole once the store has copied the bodies (the store always copies a view like these).
 */
function toStoredPage(rows: Row[]): StoredOrder[] {
  let capacity = 0;
  for (const r of rows) capacity += r.body.length * 3; // UTF-8 needs at most 3 bytes per UTF-16 unit
  // pages not written to are never touched, so the upper bound costs address space only
  const page = Buffer.allocUnsafeSlow(capacity);
  let offset = 0;
  return rows.map((r) => {
    const n = page.write(r.body, offset, 'utf8');
    const body = page.subarray(offset, offset + n);
    offset += n;
    return {
      id: r.id,
      uid: r.order_uid,
      body,
      etag: r.etag,
      dateCreated: r.date_ms ?? 0,
      partition: r.src_partition,
    };
  });
}

/** A row of the page's list of newest orders (@orders/api's OrderSummary). */
export type OrderSummary = Awaited<ReturnType<OrderReader['recent']>>[number];
export type RecentOptions = NonNullable<Parameters<OrderReader['recent']>[1]>;

// The list's summaries, computed here from `data` by the rules of @orders/api's order-summary.ts
// (a field of the wrong type is null, `items` counts an array, else 0), so neither `body` nor the
// whole `data` crosses the wire: ~150 bytes per row instead of the order (up to ~1 MB).
// jsonb_to_record reads `data` ONCE per row: each `data->…` would detoast (and decompress) the whole
// value again — measured on 100 rows of ~290 KB: 110–140 ms with seven operators, ~14 ms this way.
// The LIMIT is applied before the extraction (subquery on the primary key, newest first).
const RECENT_SQL = `
SELECT o.id, o.order_uid,
  CASE WHEN jsonb_typeof(s.track_number) = 'string' THEN s.track_number #>> '{}' END AS track_number,
  CASE WHEN jsonb_typeof(s.date_created) = 'string' THEN s.date_created #>> '{}' END AS date_created,
  CASE WHEN jsonb_typeof(s.customer_id) = 'string' THEN s.customer_id #>> '{}' END AS customer_id,
  CASE WHEN jsonb_typeof(s.payment -> 'amount') = 'number' THEN s.payment ->> 'amount' END AS amount,
  CASE WHEN jsonb_typeof(s.payment -> 'currency') = 'string' THEN s.payment ->> 'currency' END
    AS currency,
  CASE WHEN jsonb_typeof(s.items) = 'array' THEN jsonb_array_length(s.items) ELSE 0 END AS items
FROM (SELECT id, order_uid, data FROM orders ORDER BY id DESC LIMIT $1) o
CROSS JOIN LATERAL jsonb_to_record(o.data)
  AS s(track_number jsonb, date_created jsonb, customer_id jsonb, payment jsonb, items jsonb)
ORDER BY o.id DESC`;

type SummaryRow = Omit<OrderSummary, 'amount'> & { amount: string | null };

function toSummary(r: SummaryRow): OrderSummary {
  // the amount travels as text: a JSON number outside float8 would fail a ::float8 cast (and with
  // it the whole list); Number() reads it as JSON.parse does
  return { ...r, amount: r.amount === null ? null : Number(r.amount) };
}

/** PostgreSQL's query_canceled: a statement_timeout (or a cancel request) ended the statement. */
const QUERY_CANCELED = '57014';

export type OrdersRepo = {
  upsert(tx: Queryable, orders: ValidOrder[]): Promise<UpsertOutcome>;
  getByUid(uid: string): Promise<StoredOrder | undefined>;
  getById(id: number): Promise<StoredOrder | undefined>;
  /** The stored orders among `uids`, in no particular order (absent ones left out); one query. */
  getByUids(uids: readonly string[]): Promise<StoredOrder[]>;
  /** The stored orders among `ids`, in no particular order (absent ones left out); one query. */
  getByIds(ids: readonly number[]): Promise<StoredOrder[]>;
  /**
   * The summaries of the newest orders by id, newest first (the API's `OrderReader.recent`). With
   * `options` the query runs in a read-only transaction whose `statement_timeout` is what is left
   * of `timeoutMs` once a connection is had, so PostgreSQL itself ends it at the caller's deadline
   * and the connection goes back to the pool; a read whose signal aborted before it had a
   * connection gives the connection back without querying.
   */
  recent(limit: number, options?: RecentOptions): Promise<OrderSummary[]>;
  /**
   * The newest orders (by id, i.e. first-ingest order) that fit `maxOrders` and `maxBytes` of
   * bodies, leaving out those whose date_created is older than `minDateCreated` and, when
   * `partitions` is given, those whose stored version came from another partition — yielded OLDEST
   * FIRST in keyset pages, so a caller can put them into the store as they come (the store evicts
   * the oldest put first) without holding them all.
   */
  newest(limits: {
    maxOrders: number;
    maxBytes: number;
    minDateCreated?: number;
    partitions?: readonly number[];
    pageSize?: number;
  }): AsyncGenerator<StoredOrder[]>;
  count(): Promise<number>;
};

export function createOrdersRepo(db: Pick<Db, 'query' | 'withClient'>): OrdersRepo {
  return {
    upsert: upsertOrders,
    async getByUid(uid) {
      const { rows } = await db.query<Row>(
        `SELECT ${SELECT_COLUMNS} FROM orders WHERE order_uid = $1`,
        [uid],
      );
      return rows[0] ? toStored(rows[0]) : undefined;
    },
    async getById(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined;
      const { rows } = await db.query<Row>(`SELECT ${SELECT_COLUMNS} FROM orders WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? toStored(rows[0]) : undefined;
    },
    // The API's read-through batches concurrent misses into these (one indexed scan per batch).
    async getByUids(uids) {
      if (uids.length === 0) return [];
      const { rows } = await db.query<Row>(
        `SELECT ${SELECT_COLUMNS} FROM orders WHERE order_uid = ANY($1::text[])`,
        [uids],
      );
      return rows.map(toStored);
    },
    async getByIds(ids) {
      const valid = ids.filter((id) => Number.isSafeInteger(id) && id >= 1);
      if (valid.length === 0) return [];
      const { rows } = await db.query<Row>(
        `SELECT ${SELECT_COLUMNS} FROM orders WHERE id = ANY($1::int8[])`,
        [valid],
      );
      return rows.map(toStored);
    },
    async recent(limit, options) {
      const n = Math.max(0, Math.floor(limit));
      if (options === undefined) {
        const { rows } = await db.query<SummaryRow>(RECENT_SQL, [n]);
        return rows.map(toSummary);
      }
      const { signal } = options;
      const deadline = performance.now() + options.timeoutMs;
      const outcome = await db.withClient(async (client) => {
        // The pool may have made us wait past the deadline, or every caller left meanwhile: the
        // connection goes back unused (returned, not thrown: withClient destroys on a throw).
        if (signal.aborted) return { error: signal.reason as unknown };
        const left = Math.floor(deadline - performance.now());
        if (left < 1) {
          return { error: new Error(`no database connection within ${options.timeoutMs} ms`) };
        }
        // no budget (Infinity): the pool's own statement_timeout applies
        const timeoutClause = Number.isFinite(left)
          ? `; SET LOCAL statement_timeout = ${left}`
          : '';
        await client.query(`BEGIN READ ONLY${timeoutClause}`);
        try {
          const { rows } = await client.query<SummaryRow>(RECENT_SQL, [n]);
          await client.query('COMMIT');
          return { rows, error: undefined };
        } catch (error) {
          // rolled back, a connection whose statement was cancelled is healthy: it goes back to
          // the pool (withClient destroys a client whose callback throws, as it should when even
          // the ROLLBACK fails)
          try {
            await client.query('ROLLBACK');
          } catch {
            throw error;
          }
          if ((error as { code?: unknown }).code === QUERY_CANCELED)
            return { error: error as unknown };
          throw error;
        }
      });
      if (outcome.rows === undefined) throw outcome.error;
      return outcome.rows.map(toSummary);
    },
    async *newest({ maxOrders, maxBytes, minDateCreated, partitions, pageSize = 2_000 }) {
      if (!(maxOrders > 0 && maxBytes > 0)) return;
      if (partitions && partitions.length === 0) return;
      const minDate = minDateCreated ?? null;
      const only = partitions ? `{${partitions.map((p) => Math.trunc(p)).join(',')}}` : null;
      // 1. Where the window starts: walk ids downwards summing body sizes (the PK index, LIMIT
      //    stops the walk). `toId` pins the end, so rows another instance inserts meanwhile do
      //    not stretch the window past the limits.
      const bounds = await db.query<{ from_id: number | null; to_id: number | null }>(
        `SELECT min(id) AS from_id, max(id) AS to_id FROM (
           SELECT id, sum(octet_length(body)) OVER (ORDER BY id DESC ROWS UNBOUNDED PRECEDING) AS cum
           FROM orders
           WHERE ($1::float8 IS NULL OR date_created >= to_timestamp($1 / 1000.0))
             AND ($4::int[] IS NULL OR src_partition = ANY($4::int[]))
           ORDER BY id DESC LIMIT $2
         ) w WHERE cum <= $3::float8`,
        [minDate, Math.min(maxOrders, Number.MAX_SAFE_INTEGER), maxBytes, only],
      );
      const fromId = bounds.rows[0]?.from_id;
      const toId = bounds.rows[0]?.to_id;
      if (fromId == null || toId == null) return;
      // 2. The window, ascending, one page ahead (pages of 2,000: small enough that their strings
      //    die young; 10,000-row pages left ~100 MB more RSS per 100,000 restored, same speed): PostgreSQL produces the next page (on another
      //    pooled connection) while this one is converted and stored.
      const fetchPage = (after: number): Promise<{ rows: Row[] }> =>
        db.query<Row>(
          `SELECT ${SELECT_COLUMNS} FROM orders
           WHERE id > $1 AND id <= $2
             AND ($3::float8 IS NULL OR date_created >= to_timestamp($3 / 1000.0))
             AND ($5::int[] IS NULL OR src_partition = ANY($5::int[]))
           ORDER BY id LIMIT $4`,
          [after, toId, minDate, pageSize, only],
        );
      let next: Promise<{ rows: Row[] }> | undefined = fetchPage(fromId - 1);
      while (next) {
        const rows: Row[] = (await next).rows;
        const last: Row | undefined = rows[rows.length - 1];
        next = last && rows.length === pageSize && last.id < toId ? fetchPage(last.id) : undefined;
        if (rows.length > 0) yield toStoredPage(rows);
      }
    },
    async count() {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM orders');
      return rows[0]?.n ?? 0;
    },
  };
}
