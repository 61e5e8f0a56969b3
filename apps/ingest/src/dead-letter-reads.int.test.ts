// The admin API's reads against a real PostgreSQL: keyset pages across letters sharing stored_at
// (a batch's transaction gives them one), every filter alone and combined, the page's value
// budget, one letter with its redrives, and the summary's counts and hours.
import type { DeadLetterFilter, DeadLetterPosition } from '@orders/api';
import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, type Queryable } from './db.ts';
import { createDeadLetterReads } from './dead-letter-reads.ts';
import { silentLogger } from './logger.ts';
import { migrate } from './migrations.ts';

let database: TestDatabase;
let db: Db;

type Row = {
  partition: number;
  reason: string;
  codes: string[];
  uid: string | null;
  /** seconds before the newest batch */
  ago: number;
  value?: Buffer | null;
};

/** 60 letters, an hour apart in fours; in each four, two pairs share a stored_at 1 µs apart. */
const ROWS: Row[] = Array.from({ length: 60 }, (_, i) => ({
  partition: i % 3,
  reason: i % 4 === 0 ? 'not_json' : 'invalid_order',
  codes: i % 4 === 0 ? ['syntax'] : i % 5 === 0 ? ['required', 'format'] : ['required'],
  uid: i % 4 === 0 ? null : i % 7 === 0 ? 'again' : `uid-${i}`,
  ago: (14 - Math.floor(i / 4)) * 3_600 + 0.000001 * (i % 2),
}));
const BASE = '2026-12-03T12:00:00.000000Z';

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 4 });
  await migrate(db);
  for (const [i, r] of ROWS.entries()) {
    await db.query(
      `INSERT INTO dead_letters (src_topic, src_partition, src_offset, src_timestamp, reason,
         problems, uid, key, value, value_size, stored_at)
       VALUES ('orders', $1, $2, to_timestamp(1700000000.123), $3, $4, $5, $6, $7, $8,
         $9::timestamptz - make_interval(secs => $10))`,
      [
        r.partition,
        i,
        r.reason,
        JSON.stringify(r.codes.map((code) => ({ path: 'x', code, message: `m ${code}` }))),
        r.uid,
        Buffer.from(`k${i}`),
        Buffer.from(`{"i":${i}}`),
        Buffer.byteLength(`{"i":${i}}`),
        BASE,
        r.ago,
      ],
    );
  }
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

/** The ids in page order, paging `limit` at a time from the reader's positions. */
async function walk(filter: DeadLetterFilter, limit: number): Promise<number[]> {
  const reads = createDeadLetterReads(db);
  const ids: number[] = [];
  let after: DeadLetterPosition | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await reads.list({
      filter,
      limit,
      maxValueBytes: 1 << 20,
      ...(after ? { after } : {}),
    });
    ids.push(...page.letters.map((l) => l.id));
    if (page.next === null) return ids;
    expect(page.letters).toHaveLength(limit);
    after = page.next;
  }
  throw new Error('no last page');
}

/** What the ledger holds for `filter`, newest first by (stored_at, id), by SQL written plainly. */
async function expected(where: string, params: unknown[] = []): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM dead_letters WHERE ${where} ORDER BY stored_at DESC, id DESC`,
    params,
  );
  return rows.map((r) => r.id);
}

describe('createDeadLetterReads (PostgreSQL)', () => {
  it('pages every letter once, newest first, across letters sharing stored_at', async () => {
    const shared = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM dead_letters GROUP BY stored_at HAVING count(*) > 1',
    );
    expect(shared.rows.length).toBeGreaterThan(5); // the pages do cut inside a batch
    const all = await expected('true');
    expect(all).toHaveLength(60);
    for (const limit of [1, 3, 7, 100]) expect(await walk({}, limit)).toEqual(all);
  });

  it('filters by each field, alone and combined, keyset-paged', async () => {
    const cases: [DeadLetterFilter, string, unknown[]][] = [
      [{ reason: 'not_json' }, 'reason = $1', ['not_json']],
      [{ problem: 'format' }, 'problems @> \'[{"code":"format"}]\'', []],
      [{ problem: 'too_deep' }, 'false', []],
      [{ uid: 'again' }, 'uid = $1', ['again']],
      [{ partition: 2 }, 'src_partition = 2', []],
      [
        { since: '2026-12-03T05:00:00.000001Z', until: '2026-12-03T09:00:00Z' },
        "stored_at >= '2026-12-03T05:00:00.000001Z' AND stored_at < '2026-12-03T09:00:00Z'",
        [],
      ],
      [
        { reason: 'invalid_order', problem: 'required', partition: 1, since: '2026-12-03T00:00Z' },
        "reason = 'invalid_order' AND src_partition = 1 AND stored_at >= '2026-12-03T00:00Z'",
        [],
      ],
    ];
    for (const [filter, where, params] of cases) {
      const want = await expected(where, params);
      expect(await walk(filter, 2), JSON.stringify(filter)).toEqual(want);
    }
    expect((await expected('uid = $1', ['again'])).length).toBeGreaterThan(2);
    expect(await walk({ uid: "again' OR true --" }, 5)).toEqual([]);
  });

  it('reads a letter as stored, with its redrives, and undefined for an id none has', async () => {
    const reads = createDeadLetterReads(db);
    const [newest] = await expected('true');
    const letter = await reads.get(newest ?? 0);
    expect(letter).toMatchObject({
      id: newest,
      source: { topic: 'orders', offset: '58', timestamp: 1_700_000_000_123 },
      key: Buffer.from('k58'),
      value: Buffer.from('{"i":58}'),
      size: 8,
      truncated: false,
      storedAt: expect.stringMatching(/^2026-12-03T\d\d:\d\d:\d\d\.\d{6}Z$/),
      redrives: [],
    });
    expect(await reads.get(999_999)).toBeUndefined();
    expect(await reads.get(0)).toBeUndefined();

    // a run that sent the letter and saw it dead-lettered again, and one that skipped it
    const runs = await db.query<{ id: number }>(
      `INSERT INTO redrive_runs (kind, dry_run, state, created_by, request, rate, matched,
         would_pass, txn_id)
       VALUES ('ids', false, 'done', 'ops', '{}', 10, 1, 1, 't1'),
              ('ids', false, 'done', 'ops', '{}', 10, 1, 0, 't2') RETURNING id`,
    );
    const [run1, run2] = runs.rows.map((r) => r.id);
    const [other] = await expected('id <> $1', [newest]);
    await db.query(
      `INSERT INTO redrive_letters (run_id, letter_id, state, reason, sent_at, outcome,
         outcome_letter_id)
       VALUES ($1, $3, 'sent', NULL, '2026-12-03T12:30:00.000123Z', 'dead_lettered', $4),
              ($2, $3, 'skipped', 'already_redriven', NULL, NULL, NULL)`,
      [run1, run2, newest, other],
    );
    const again = await reads.get(newest ?? 0);
    expect(again?.redrives).toEqual([
      {
        run: run1,
        state: 'sent',
        outcome: 'dead_lettered',
        letter: other,
        sent_at: '2026-12-03T12:30:00.000123Z',
      },
      { run: run2, state: 'skipped', skipped: 'already_redriven', outcome: null, sent_at: null },
    ]);
    const page = await reads.list({ filter: {}, limit: 1, maxValueBytes: 1 << 20 });
    expect(page.letters[0]?.redrives).toEqual(again?.redrives);
  });

  it('cuts a page at its value budget, leaving values past it unread', async () => {
    const reads = createDeadLetterReads(db);
    const page = await reads.list({ filter: {}, limit: 10, maxValueBytes: 20 });
    // 8 or 9 bytes each: two fit under 20, the third starts at 16 or 17 bytes, still under
    expect(page.letters).toHaveLength(3);
    expect(page.next).toEqual({
      storedAt: page.letters[2]?.storedAt,
      id: page.letters[2]?.id,
    });
  });

  it('counts by reason and problem code, and per hour with empty hours at 0', async () => {
    const reads = createDeadLetterReads(db);
    const s = await reads.summary({ hours: 48 });
    expect(s.total).toBe(60);
    expect(s.byReason).toEqual({ not_json: 15, invalid_order: 45 });
    const withFormat = ROWS.filter((r) => r.codes.includes('format')).length;
    expect(s.byProblem).toEqual({ syntax: 15, required: 45, format: withFormat });
    expect(s.perHour).toHaveLength(48);
    const hours = s.perHour.map((h) => h.hour);
    expect(hours).toEqual([...hours].sort());
    expect(hours.at(-1)).toBe(
      `${new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString().slice(0, 19)}Z`,
    );
    // the hours of the window hold exactly the letters stored in them
    const inWindow = await db.query<{ hour: string; n: number }>(
      `SELECT to_char(date_trunc('hour', stored_at) AT TIME ZONE 'UTC',
         'YYYY-MM-DD"T"HH24:00:00"Z"') AS hour, count(*)::int AS n
       FROM dead_letters WHERE stored_at >= date_trunc('hour', now()) - interval '47 hours'
       GROUP BY 1`,
    );
    const byHour = new Map(inWindow.rows.map((r) => [r.hour, r.n]));
    for (const h of s.perHour) expect(h.count, h.hour).toBe(byHour.get(h.hour) ?? 0);
  });

  it('ends a read past its statement timeout with an error, and the pool stays usable', async () => {
    // the admin pool's own statement_timeout ends a page or a letter; the summary's SET LOCAL its
    const short = createDb({
      connectionString: database.url,
      logger: silentLogger,
      max: 1,
      // short, yet long enough for a plain read on a loaded machine
      statementTimeoutMillis: 500,
    });
    try {
      const reads = createDeadLetterReads(
        { query: slow(short).query, withClient: (fn) => short.withClient((c) => fn(slow(c))) },
        { summaryTimeoutMs: 500 },
      );
      await expect(reads.get(1)).rejects.toThrow(/cancelled by its statement timeout/);
      await expect(reads.summary({ hours: 48 })).rejects.toThrow(/cancelled by its statement/);
      expect(await createDeadLetterReads(short).get(1)).toBeDefined();
    } finally {
      await short.end();
    }
  });
});

/** A client whose letter reads sleep first, so the statement_timeout ends them. */
function slow(client: Queryable): Queryable {
  return {
    async query(text, values) {
      if (text.includes('FROM dead_letters')) await client.query('SELECT pg_sleep(3)');
      return client.query(text, values);
    },
  };
}
