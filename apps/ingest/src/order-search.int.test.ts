import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, makeOrder } from '../test/fixtures.ts';
import { createDb, type Db } from './db.ts';
import { handleBatch } from './handle-batch.ts';
import { silentLogger } from './logger.ts';
import { migrate } from './migrations.ts';
import { createOrderSearch, searchSql } from './order-search.ts';
import { createOrdersRepo } from './orders-repo.ts';
import { fillSearchColumns, SEARCH_INDEXES } from './search-fill.ts';

let database: TestDatabase | undefined;
let db: Db | undefined;

afterEach(async () => {
  await db?.end();
  await database?.drop();
  db = undefined;
  database = undefined;
});

async function freshDb(): Promise<Db> {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 4 });
  return db;
}

type Spec = { uid: string; track: string; customer: string; date: string };

// 24 orders over 3 track numbers, 2 customers, 6 instants (4 orders share each instant)
const SPECS: Spec[] = Array.from({ length: 24 }, (_, i) => ({
  uid: `s-${i}`,
  track: `TRACK-${i % 3}`,
  customer: `customer-${i % 2}`,
  date: `2026-12-0${1 + (i % 6)}T10:00:00.123+01:00`,
}));

async function store(d: Db, specs: Spec[], offset0 = 0): Promise<void> {
  const out = handleBatch(
    {
      topic: 'orders',
      partition: 0,
      messages: specs.map((s, i) => ({
        key: null,
        value: bytes(
          makeOrder(s.uid, {
            track_number: s.track,
            customer_id: s.customer,
            date_created: s.date,
          }),
        ),
        offset: String(offset0 + i),
        timestamp: '1700000000000',
      })),
    },
    { maxBytes: 1 << 20 },
  );
  await d.transaction((tx) => createOrdersRepo(d).upsert(tx, out.valid));
}

const budget = () => ({ timeoutMs: 5_000, signal: new AbortController().signal });

describe('order search (real PostgreSQL)', () => {
  it('every combination of conditions finds exactly its orders, newest first, paged by the cursor', async () => {
    const d = await freshDb();
    await migrate(d);
    expect(await fillSearchColumns(d)).toBe('done');
    await store(d, SPECS);
    const ids = new Map(
      (
        await d.query<{ id: number; order_uid: string }>('SELECT id, order_uid FROM orders')
      ).rows.map((r) => [r.order_uid, r.id]),
    );
    const search = createOrderSearch(d);
    const from = '2026-12-02T09:00:00.123000Z';
    const to = '2026-12-05T09:00:00.123000Z';
    for (const track of [undefined, 'TRACK-1', 'NONE']) {
      for (const customer of [undefined, 'customer-0']) {
        for (const range of [{}, { from }, { to }, { from, to }]) {
          const query = {
            ...(track ? { trackNumber: track } : {}),
            ...(customer ? { customerId: customer } : {}),
            ...range,
          };
          const expected = SPECS.filter(
            (s) =>
              (!track || s.track === track) &&
              (!customer || s.customer === customer) &&
              (!('from' in range) || Date.parse(s.date) >= Date.parse(from)) &&
              (!('to' in range) || Date.parse(s.date) < Date.parse(to)),
          )
            .map((s) => ({ at: Date.parse(s.date), id: ids.get(s.uid) as number }))
            .sort((a, b) => b.at - a.at || b.id - a.id)
            .map((x) => x.id);
          const got: number[] = [];
          let after: Awaited<ReturnType<typeof search>>['next'] = null;
          let pages = 0;
          do {
            const page = await search(
              { ...query, limit: 3, ...(after ? { after } : {}) },
              budget(),
            );
            got.push(...page.orders.map((o) => o.id));
            after = page.next;
            pages++;
          } while (after !== null && pages < 20);
          expect(got, JSON.stringify(query)).toEqual(expected);
        }
      }
    }
  });

  it('a page holds the recent list summary; the cursor is exact (date_created is kept to the ms)', async () => {
    const d = await freshDb();
    await migrate(d);
    await store(d, [{ uid: 'u-1', track: 'T', customer: 'c', date: '2026-12-01T00:00:00.001Z' }]);
    await store(
      d,
      [{ uid: 'u-2', track: 'T', customer: 'c', date: '2026-12-01T00:00:00.002Z' }],
      1,
    );
    const search = createOrderSearch(d);
    const first = await search({ trackNumber: 'T', limit: 1 }, budget());
    expect(first.orders).toEqual([
      {
        id: 2,
        order_uid: 'u-2',
        track_number: 'T',
        date_created: '2026-12-01T00:00:00.002Z',
        customer_id: 'c',
        amount: expect.any(Number),
        currency: 'USD',
        items: 1,
      },
    ]);
    expect(first.next).toEqual({ dateCreatedMicros: 1_796_083_200_002_000n, id: 2 });
    const second = await search(
      { trackNumber: 'T', limit: 1, after: first.next ?? undefined },
      budget(),
    );
    expect(second.orders.map((o) => o.order_uid)).toEqual(['u-1']);
    expect(second.next).toBeNull();
  });

  it('an update moves the order to its new track number', async () => {
    const d = await freshDb();
    await migrate(d);
    await store(d, [{ uid: 'm', track: 'OLD', customer: 'c', date: '2026-12-01T00:00:00Z' }]);
    await store(d, [{ uid: 'm', track: 'NEW', customer: 'c', date: '2026-12-01T00:00:00Z' }], 1);
    const search = createOrderSearch(d);
    expect((await search({ trackNumber: 'OLD', limit: 5 }, budget())).orders).toEqual([]);
    expect((await search({ trackNumber: 'NEW', limit: 5 }, budget())).orders).toHaveLength(1);
  });

  it('a fresh install gets valid indexes and a finished fill from the migration itself', async () => {
    const d = await freshDb();
    await migrate(d);
    const indexes = await d.query<{ name: string; valid: boolean }>(
      `SELECT indexrelid::regclass::text AS name, indisvalid AS valid FROM pg_index
       WHERE indexrelid::regclass::text = ANY($1) ORDER BY 1`,
      [SEARCH_INDEXES.map((x) => x.name)],
    );
    expect(indexes.rows).toEqual(
      SEARCH_INDEXES.map((x) => ({ name: x.name, valid: true })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
    const fill = await d.query('SELECT done_at IS NOT NULL AS done FROM orders_search_fill');
    expect(fill.rows).toEqual([{ done: true }]);
  });

  it('each filter is served by its index in page order (no sort, no sequential scan)', async () => {
    const d = await freshDb();
    await migrate(d);
    await fillSearchColumns(d);
    await store(d, SPECS);
    await d.query('ANALYZE orders');
    const plan = async (query: Parameters<typeof searchSql>[0]) => {
      const { text, params } = searchSql(query);
      return d.withClient(async (c) => {
        await c.query('BEGIN; SET LOCAL enable_seqscan = off');
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
        await c.query('ROLLBACK');
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    };
    const after = { dateCreatedMicros: 1_764_547_200_000_000n, id: 5 };
    const track = await plan({ trackNumber: 'T', limit: 20, after });
    expect(track).toContain('orders_search_track');
    const customer = await plan({ customerId: 'c', from: '2026-12-01T00:00:00Z', limit: 20 });
    expect(customer).toContain('orders_search_customer');
    const dates = await plan({
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-03T00:00:00Z',
      limit: 20,
      after,
    });
    expect(dates).toContain('orders_search_date');
    for (const p of [track, customer, dates]) expect(p).not.toMatch(/Sort|Seq Scan/);
  });

  it('a search whose caller left before it had a slot never queries', async () => {
    const d = await freshDb();
    await migrate(d);
    const search = createOrderSearch(d, { maxQueries: 1 });
    const aborted = new AbortController();
    aborted.abort(new Error('gone'));
    await expect(
      search({ trackNumber: 'T', limit: 1 }, { timeoutMs: 5_000, signal: aborted.signal }),
    ).rejects.toThrow('gone');
    // and one with no budget left is refused before its query, the connection given back
    await expect(
      search(
        { trackNumber: 'T', limit: 1 },
        { timeoutMs: 0, signal: new AbortController().signal },
      ),
    ).rejects.toThrow();
    expect((await search({ trackNumber: 'T', limit: 1 }, budget())).orders).toEqual([]);
  });
});

describe('migration step 5 and the fill (real PostgreSQL)', () => {
  it('rows stored under step 4 are filled in bounded, resumable batches and then found', async () => {
    const d = await freshDb();
    expect(await migrate(d, { upTo: 4 })).toEqual({ applied: [1, 2, 3, 4] });
    // rows as the step-4 upsert wrote them: no search columns
    for (const [i, s] of SPECS.entries()) {
      const order = makeOrder(s.uid, {
        track_number: s.track,
        customer_id: s.customer,
        date_created: s.date,
      });
      await d.query(
        `INSERT INTO orders (order_uid, data, body, etag, date_created, src_partition, src_offset)
         VALUES ($1, $2::jsonb, $2, 'e', $3::timestamptz, 0, $4)`,
        [s.uid, JSON.stringify(order), s.date, i],
      );
    }
    expect(await migrate(d)).toEqual({ applied: [5] });
    const unfilled = async () =>
      (
        await d.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM orders WHERE track_number IS NULL',
        )
      ).rows[0]?.n;
    expect(await unfilled()).toBe(24);

    // stopped after two batches of 5 rows: 10 filled, the position kept
    let batches = 0;
    const stopped = await fillSearchColumns(d, {
      batchRows: 5,
      pauseMs: 0,
      isStopping: () => batches++ >= 2 + SEARCH_INDEXES.length,
    });
    expect(stopped).toBe('stopped');
    expect(await unfilled()).toBe(14);
    const position = await d.query<{ next_id: number; upper_id: number }>(
      'SELECT next_id, upper_id FROM orders_search_fill',
    );
    expect(position.rows).toEqual([{ next_id: 11, upper_id: 24 }]);

    expect(await fillSearchColumns(d, { batchRows: 5, pauseMs: 0 })).toBe('done');
    expect(await unfilled()).toBe(0);
    const indexes = await d.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname = ANY($1) ORDER BY 1`,
      [SEARCH_INDEXES.map((x) => x.name)],
    );
    expect(indexes.rows).toEqual(
      SEARCH_INDEXES.map((x) => ({ name: x.name, valid: true })).sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );
    const found = await createOrderSearch(d)(
      { trackNumber: 'TRACK-2', customerId: 'customer-1', limit: 100 },
      budget(),
    );
    expect(found.orders.map((o) => o.order_uid).sort()).toEqual(['s-11', 's-17', 's-23', 's-5']);
    // done is done: nothing rebuilt or rewritten
    expect(await fillSearchColumns(d)).toBe('done');
  });

  it('an index left invalid by a failed build is dropped and built again; one instance fills at a time', async () => {
    const d = await freshDb();
    await migrate(d);
    // a failed concurrent build leaves its index INVALID: a unique one over duplicates, under the
    // name of the track index
    await store(d, [
      { uid: 'x-1', track: 'T', customer: 'same', date: '2026-12-01T00:00:00Z' },
      { uid: 'x-2', track: 'T', customer: 'same', date: '2026-12-01T00:00:00Z' },
    ]);
    // (a fresh database has its indexes from the migration: this one's is replaced)
    await d.query('DROP INDEX orders_search_track');
    await expect(
      d.query('CREATE UNIQUE INDEX CONCURRENTLY orders_search_track ON orders (customer_id)'),
    ).rejects.toThrow();
    await d.withClient(async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [0x736561726368]);
      expect(await fillSearchColumns(d)).toBe('busy');
      await holder.query('SELECT pg_advisory_unlock($1)', [0x736561726368]);
    });
    expect(await fillSearchColumns(d)).toBe('done');
    const valid = await d.query<{ v: boolean; def: string }>(
      `SELECT indisvalid AS v, pg_get_indexdef(indexrelid) AS def FROM pg_index
       WHERE indexrelid = 'orders_search_track'::regclass`,
    );
    expect(valid.rows).toEqual([
      { v: true, def: expect.stringContaining('(track_number, date_created DESC, id DESC)') },
    ]);
  });
});
