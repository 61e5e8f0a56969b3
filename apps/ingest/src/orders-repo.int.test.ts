import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, makeOrder } from '../test/fixtures.ts';
import { createDb, type Db } from './db.ts';
import { handleBatch, type ValidOrder } from './handle-batch.ts';
import { silentLogger } from './logger.ts';
import { migrate } from './migrations.ts';
import { createOrdersRepo, type OrdersRepo } from './orders-repo.ts';

function valid(
  uid: string,
  partition: number,
  offset: number,
  extra: Record<string, unknown> = {},
  timestamp = 1_700_000_000_000 + offset,
): ValidOrder {
  const out = handleBatch(
    {
      topic: 't',
      partition,
      messages: [
        {
          key: null,
          value: bytes(makeOrder(uid, extra)),
          offset: String(offset),
          timestamp: String(timestamp),
        },
      ],
    },
    { maxBytes: 1 << 20 },
  );
  const v = out.valid[0];
  if (!v) throw new Error(`fixture ${uid} invalid`);
  return v;
}

let database: TestDatabase;
let db: Db;
let repo: OrdersRepo;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 4 });
  // two concurrent migrations (two instances starting together) must both succeed
  await Promise.all([migrate(db), migrate(db)]);
  await migrate(db);
  repo = createOrdersRepo(db);
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

describe('orders repo (real PostgreSQL)', () => {
  it('inserts, then an identical redelivery is skipped and the id never changes', async () => {
    const a = valid('r-a', 0, 10);
    const first = await db.transaction((tx) => repo.upsert(tx, [a]));
    expect(first).toMatchObject({ inserted: 1, updated: 0, skipped: 0 });
    const again = await db.transaction((tx) => repo.upsert(tx, [a]));
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 0, skipped: 1 });
    const row = await repo.getByUid('r-a');
    expect(row?.id).toBe(first.written[0]?.id);
    expect(row?.body.equals(a.body)).toBe(true);
    expect(row?.etag).toBe(a.etag);
    expect((await repo.getById(row?.id ?? -1))?.uid).toBe('r-a');
  });

  it('stores and returns the canonical bytes exactly, unicode and escapes included', async () => {
    const tricky = valid('r-u', 4, 1, {
      delivery: {
        ...(makeOrder('x').delivery as Record<string, unknown>),
        name: 'Zoë "Q" \\ \u2028 \u001e 😀 </script>',
      },
      zz_unknown: { b: [1, 2.5, -0, 1.5e-7], a: 'é' },
    });
    // 'NULL' is a valid uid: it must not turn into SQL NULL on the way
    const named = valid('NULL', 4, 2);
    const out = await db.transaction((tx) => repo.upsert(tx, [tricky, named]));
    expect(out.inserted).toBe(2);
    expect((await repo.getByUid('NULL'))?.body.equals(named.body)).toBe(true);
    const row = await repo.getByUid('r-u');
    expect(row?.body.toString()).toBe(tricky.body.toString());
    expect(row?.body.equals(tricky.body)).toBe(true);
    const restored = await (async () => {
      for await (const page of repo.newest({ maxOrders: 2, maxBytes: 1e9 })) return page;
      return [];
    })();
    expect(restored.find((r) => r.uid === 'r-u')?.body.equals(tricky.body)).toBe(true);
  });

  it('a newer offset wins, an older replay never overwrites it, the id is kept', async () => {
    const v1 = valid('r-b', 1, 100, { locale: 'en' });
    const v2 = valid('r-b', 1, 105, { locale: 'ru' });
    const ins = await db.transaction((tx) => repo.upsert(tx, [v1]));
    const upd = await db.transaction((tx) => repo.upsert(tx, [v2]));
    expect(upd).toMatchObject({ updated: 1, skipped: 0 });
    expect(upd.written[0]?.id).toBe(ins.written[0]?.id);
    const replay = await db.transaction((tx) => repo.upsert(tx, [v1]));
    expect(replay).toMatchObject({ updated: 0, skipped: 1 });
    const row = await repo.getByUid('r-b');
    expect(JSON.parse(row?.body.toString() ?? '{}').locale).toBe('ru');
    const { rows } = await db.query<{ version: number; src_offset: number }>(
      'SELECT version, src_offset FROM orders WHERE order_uid = $1',
      ['r-b'],
    );
    expect(rows[0]).toEqual({ version: 2, src_offset: 105 });
  });

  it('the same bytes at a newer offset advance the offset without counting as a change', async () => {
    const v1 = valid('r-c', 2, 7);
    const dup = valid('r-c', 2, 9);
    await db.transaction((tx) => repo.upsert(tx, [v1]));
    const out = await db.transaction((tx) => repo.upsert(tx, [dup]));
    expect(out).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, skipped: 0 });
    const { rows } = await db.query('SELECT version, src_offset FROM orders WHERE order_uid = $1', [
      'r-c',
    ]);
    expect(rows[0]).toEqual({ version: 1, src_offset: 9 });
  });

  it('across partitions the message timestamp decides', async () => {
    const p0 = valid('r-d', 0, 500, { locale: 'en' }, 2_000);
    const p1old = valid('r-d', 1, 900, { locale: 'de' }, 1_000);
    const p1new = valid('r-d', 1, 901, { locale: 'ru' }, 3_000);
    await db.transaction((tx) => repo.upsert(tx, [p0]));
    expect(await db.transaction((tx) => repo.upsert(tx, [p1old]))).toMatchObject({ skipped: 1 });
    expect(await db.transaction((tx) => repo.upsert(tx, [p1new]))).toMatchObject({ updated: 1 });
  });

  it('one statement takes a multi-row batch; nothing is visible after a rollback', async () => {
    const many = Array.from({ length: 500 }, (_, i) => valid(`m-${i}`, 3, i));
    await expect(
      db.transaction(async (tx) => {
        await repo.upsert(tx, many);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await repo.getByUid('m-0')).toBeUndefined();
    const out = await db.transaction((tx) => repo.upsert(tx, many));
    expect(out.inserted).toBe(500);
    expect(new Set(out.written.map((w) => w.id)).size).toBe(500);
  });

  it('recent() is newest first; newest() yields the newest that fit, oldest first', async () => {
    const recent = await repo.recent(3);
    expect(recent.map((r) => r.order_uid)).toEqual(['m-499', 'm-498', 'm-497']);
    const pages: string[][] = [];
    for await (const page of repo.newest({ maxOrders: 7, maxBytes: 1e9, pageSize: 3 })) {
      pages.push(page.map((p) => p.uid));
    }
    expect(pages).toEqual([['m-493', 'm-494', 'm-495'], ['m-496', 'm-497', 'm-498'], ['m-499']]);
    const one = (await repo.getByUid('m-499'))?.body.length ?? 0;
    let count = 0;
    for await (const page of repo.newest({ maxOrders: 1000, maxBytes: one * 2.5 })) {
      count += page.length;
    }
    expect(count).toBe(2);
    // orders created before minDateCreated are left out
    let fresh = 0;
    for await (const page of repo.newest({
      maxOrders: 1000,
      maxBytes: 1e9,
      minDateCreated: Date.now() + 86_400_000,
    })) {
      fresh += page.length;
    }
    expect(fresh).toBe(0);
  });

  it('newest({ partitions }) keeps to the rows whose stored version came from those partitions', async () => {
    // after the 500 rows of partition 3 above, three newer rows on partitions 5 and 6
    await db.transaction((tx) =>
      repo.upsert(tx, [valid('np-a', 5, 1), valid('np-b', 6, 1), valid('np-c', 5, 2)]),
    );
    const restore = async (partitions?: number[]) => {
      const out: { uid: string; partition: number | undefined }[] = [];
      for await (const page of repo.newest({ maxOrders: 4, maxBytes: 1e9, partitions })) {
        for (const o of page) out.push({ uid: o.uid, partition: o.partition });
      }
      return out;
    };
    expect(await restore([5])).toEqual([
      { uid: 'np-a', partition: 5 },
      { uid: 'np-c', partition: 5 },
    ]);
    // the limit counts only the chosen partitions' rows
    expect(await restore([3, 6])).toEqual([
      { uid: 'm-497', partition: 3 },
      { uid: 'm-498', partition: 3 },
      { uid: 'm-499', partition: 3 },
      { uid: 'np-b', partition: 6 },
    ]);
    expect((await restore()).map((o) => o.uid)).toEqual(['m-499', 'np-a', 'np-b', 'np-c']);
    expect(await restore([])).toEqual([]);
    expect(await restore([42])).toEqual([]);
  });

  it('getByUids/getByIds return the stored ones among many keys in one query', async () => {
    const uids = ['m-3', 'm-0', 'no-such', 'm-499', "it's,{odd}"];
    const byUid = await repo.getByUids(uids);
    expect(byUid.map((o) => o.uid).sort()).toEqual(['m-0', 'm-3', 'm-499']);
    for (const o of byUid) {
      const one = await repo.getByUid(o.uid);
      expect(o).toEqual(one);
    }
    const ids = byUid.map((o) => o.id);
    const byId = await repo.getByIds([...ids, 2 ** 53, -1, 0, 1.5, Number.NaN, 987_654_321]);
    expect(byId.map((o) => o.id).sort((a, b) => a - b)).toEqual(ids.sort((a, b) => a - b));
    expect(await repo.getByUids([])).toEqual([]);
    expect(await repo.getByIds([-1])).toEqual([]);
  });
});

describe('recent(): summaries only, cancelled at its deadline (real PostgreSQL)', () => {
  let sdb: TestDatabase;
  let admin: Db;
  const appName = `orders-recent-${process.pid}`;

  beforeAll(async () => {
    sdb = await createTestDatabase();
    admin = createDb({ connectionString: sdb.url, logger: silentLogger, max: 2 });
    await migrate(admin);
  });

  afterAll(async () => {
    await admin?.end();
    await sdb?.drop();
  });

  /** What the page's summary says of a stored body (the rules of @orders/api order-summary.ts). */
  function expected(id: number, body: Buffer): Record<string, unknown> {
    const o = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const payment = o.payment as Record<string, unknown>;
    return {
      id,
      order_uid: o.order_uid,
      track_number: o.track_number,
      date_created: o.date_created,
      customer_id: o.customer_id,
      amount: payment.amount,
      currency: payment.currency,
      items: (o.items as unknown[]).length,
    };
  }

  /** A Db whose checked-out clients record every statement and the rows it returned. */
  function spied(db: Db): { db: Db; log: { sql: string; rows: Record<string, unknown>[] }[] } {
    const log: { sql: string; rows: Record<string, unknown>[] }[] = [];
    const record = async (run: Promise<{ rows: Record<string, unknown>[] }>, sql: string) => {
      const result = await run;
      log.push({ sql, rows: result.rows });
      return result;
    };
    return {
      log,
      db: {
        ...db,
        query: ((sql: string, values?: unknown[]) =>
          record(db.query(sql, values), sql)) as Db['query'],
        withClient: (fn) =>
          db.withClient((client) =>
            fn({
              query: ((sql: string, values?: unknown[]) =>
                record(client.query(sql, values), sql)) as Db['query'],
            }),
          ),
      },
    };
  }

  it('returns the newest summaries from data, reading neither the bodies nor whole orders', async () => {
    const big = 'x'.repeat(100) + 'y'.repeat(399_000); // a ~400 KB order among the newest
    const orders = [
      valid('s-1', 0, 1),
      valid('s-2', 0, 2, { customer_id: 'Zoë "Q" \\ 😀 </script>' }),
      valid('s-big', 0, 3, { zz_padding: big }),
      valid('s-4', 0, 4, {
        items: Array.from({ length: 3 }, () => (makeOrder('x').items as unknown[])[0]),
      }),
    ];
    const written = await admin.transaction((tx) => repo.upsert(tx, orders));
    const spy = spied(admin);
    const summaries = createOrdersRepo(spy.db);
    const list = await summaries.recent(10, {
      timeoutMs: 5_000,
      signal: new AbortController().signal,
    });
    const want = written.written
      .map((w, i) => expected(w.id, (orders[i] as ValidOrder).body))
      .reverse();
    expect(list).toEqual(want);
    expect(list[1]?.order_uid).toBe('s-big');
    expect(list[0]?.items).toBe(3);
    // what crossed the wire: only the summary columns, a few hundred bytes per row
    const select = spy.log.find((entry) => /jsonb_to_record/.test(entry.sql));
    expect(select?.sql).not.toMatch(/\bbody\b/);
    expect(select?.rows).toHaveLength(4);
    for (const row of select?.rows ?? []) {
      expect(Object.keys(row).sort()).toEqual([
        'amount',
        'currency',
        'customer_id',
        'date_created',
        'id',
        'items',
        'order_uid',
        'track_number',
      ]);
      expect(JSON.stringify(row).length).toBeLessThan(400);
    }
    // the bodies are not read at all: blanking them changes nothing
    await admin.query(`UPDATE orders SET body = ''`);
    expect(await summaries.recent(10)).toEqual(want);
    // a field of the wrong type is null, a missing items array counts 0 (as order-summary.ts)
    await admin.query(
      `UPDATE orders SET data = (data - 'items') || '{"track_number": 5, "customer_id": null}'::jsonb
         || jsonb_build_object('payment', (data -> 'payment') || '{"amount": "12"}'::jsonb)
       WHERE order_uid = 's-1'`,
    );
    const odd = (await summaries.recent(10)).find((s) => s.order_uid === 's-1');
    expect(odd).toEqual({
      ...want[3],
      track_number: null,
      customer_id: null,
      amount: null,
      items: 0,
    });
    expect(await summaries.recent(2)).toEqual(want.slice(0, 2));
  });

  it('a query still running at its deadline is cancelled in PostgreSQL, and its connection reused', async () => {
    // one connection, so the test sees which backend ran the query and that it stays usable
    const readerDb = createDb({
      connectionString: sdb.url,
      logger: silentLogger,
      max: 1,
      applicationName: appName,
    });
    const holder = createDb({ connectionString: sdb.url, logger: silentLogger, max: 1 });
    const reader = createOrdersRepo(readerDb);
    const backends = async () =>
      (
        await admin.query<{ pid: number; state: string; wait_event_type: string | null }>(
          'SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = $1',
          [appName],
        )
      ).rows;
    try {
      await reader.recent(1, { timeoutMs: 5_000, signal: new AbortController().signal });
      const [before] = await backends();
      expect(before?.state).toBe('idle');
      // hold a lock every read of the table waits for, until the test lets go
      let unlock: () => void = () => {};
      const locked = new Promise<void>((resolve) => {
        unlock = resolve;
      });
      let lockTaken: () => void = () => {};
      const taken = new Promise<void>((resolve) => {
        lockTaken = resolve;
      });
      const holding = holder.transaction(async (tx) => {
        await tx.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
        lockTaken();
        await locked;
      });
      await taken;
      try {
        const started = performance.now();
        const failure = await reader
          .recent(10, { timeoutMs: 300, signal: new AbortController().signal })
          .catch((e: unknown) => e);
        const took = performance.now() - started;
        expect(failure).toMatchObject({ code: '57014' }); // canceling statement due to statement timeout
        expect(took).toBeGreaterThan(250);
        expect(took).toBeLessThan(2_000);
        // the lock is still held, and yet nothing of ours waits on it: the query is gone, the
        // same backend is idle (rolled back and back in the pool, not destroyed)
        const after = await backends();
        expect(after).toEqual([{ pid: before?.pid, state: 'idle', wait_event_type: 'Client' }]);
        const waiting = await admin.query(
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
           WHERE NOT l.granted AND a.application_name = $1`,
          [appName],
        );
        expect(waiting.rows).toEqual([]);
      } finally {
        unlock();
        await holding;
      }
      const list = await reader.recent(2, {
        timeoutMs: 5_000,
        signal: new AbortController().signal,
      });
      expect(list).toHaveLength(2);
      expect((await backends()).map((b) => b.pid)).toEqual([before?.pid]);
    } finally {
      await holder.end();
      await readerDb.end();
    }
  });

  it('a read whose caller left while it waited for a connection sends no query', async () => {
    const small = createDb({ connectionString: sdb.url, logger: silentLogger, max: 1 });
    const spy = spied(small);
    const reader = createOrdersRepo(spy.db);
    try {
      let free: () => void = () => {};
      let holding: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const busy = small.withClient(
        () =>
          new Promise<void>((resolve) => {
            free = resolve;
            holding();
          }),
      );
      // the pool's one connection is taken before the reads queue (on a loaded machine the
      // connect can outlast the 200 ms below, and free() would then release nothing)
      await held;
      const gone = new AbortController();
      const aborted = reader.recent(5, { timeoutMs: 5_000, signal: gone.signal }).catch((e) => e);
      const late = reader
        .recent(5, { timeoutMs: 100, signal: new AbortController().signal })
        .catch((e: unknown) => e);
      gone.abort(new Error('every caller gave up'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      free();
      await busy;
      expect(await aborted).toMatchObject({ message: 'every caller gave up' });
      expect(await late).toMatchObject({ message: 'no database connection within 100 ms' });
      expect(spy.log).toEqual([]);
      // the connection was given back, not destroyed: the pool still serves
      expect(await reader.recent(1)).toHaveLength(1);
    } finally {
      await small.end();
    }
  });
});
