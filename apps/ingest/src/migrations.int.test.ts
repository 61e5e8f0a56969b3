import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { afterEach, describe, expect, it } from 'vitest';
import { makeOrder } from '../test/fixtures.ts';
import { createDb, type Db } from './db.ts';
import { silentLogger } from './logger.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

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
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 2 });
  return db;
}

describe('migrations (real PostgreSQL)', () => {
  it('a database of the first schema, with orders in it, upgrades in place at start', async () => {
    const d = await freshDb();
    expect(await migrate(d, { upTo: 1 })).toEqual({ applied: [1] });
    // as the step-1 ingest wrote it (today's upsert also writes step 5's columns)
    const order = makeOrder('kept-1');
    await d.query(
      `INSERT INTO orders (order_uid, data, body, etag, date_created, src_partition, src_offset)
       VALUES ('kept-1', $1::jsonb, $1, 'e', now(), 0, 5)`,
      [JSON.stringify(order)],
    );

    const upgraded = await migrate(d);
    expect(upgraded.applied).toEqual(Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 2));
    const { rows } = await d.query<{ order_uid: string; src_offset: number }>(
      'SELECT order_uid, src_offset FROM orders',
    );
    expect(rows).toEqual([{ order_uid: 'kept-1', src_offset: 5 }]);
    const tables = await d.query<{ t: string }>(
      `SELECT tablename AS t FROM pg_tables WHERE tablename IN ('consumer_offsets', 'dead_letters')
       ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.t)).toEqual(['consumer_offsets', 'dead_letters']);
    // and again: nothing left to apply
    expect(await migrate(d)).toEqual({ applied: [] });
  });

  it('two instances starting together both succeed, the steps applied once', async () => {
    const d = await freshDb();
    const [a, b] = await Promise.all([migrate(d), migrate(d)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });
});
