import { createHash } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from './db.ts';
import { type DeadLetter, deadLetter } from './handle-batch.ts';
import { createLedgerRepo, type LedgerRepo } from './ledger-repo.ts';
import { silentLogger } from './logger.ts';
import { migrate } from './migrations.ts';
import { createOffsetsRepo, type OffsetsRepo } from './offsets-repo.ts';

let database: TestDatabase;
let db: Db;
let ledger: LedgerRepo;
let offsets: OffsetsRepo;
const CAP = 1_000;

function letter(partition: number, offset: number, value: Buffer | null, uid?: string): DeadLetter {
  const l = deadLetter(
    'invalid_order',
    [{ path: 'items', code: 'too_small', message: 'at least one item' }],
    {
      key: Buffer.from(`k-${offset}`),
      value,
      offset: String(offset),
      timestamp: '1700000000123',
      headers: { traceparent: '00-abc-01', bin: Buffer.from([0, 255, 1]) },
    },
    'orders',
    partition,
  );
  return uid === undefined ? l : { ...l, uid };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 4 });
  await migrate(db);
  ledger = createLedgerRepo(db, { valueCap: CAP });
  offsets = createOffsetsRepo(db);
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

describe('dead-letter ledger (real PostgreSQL)', () => {
  it('one row per source offset: a second insert of the same offset is left out', async () => {
    const a = letter(0, 10, Buffer.from('{"order_uid":"u-1"}'), 'u-1');
    expect(await db.transaction((tx) => ledger.insert(tx, [a, letter(0, 11, null)]))).toBe(2);
    expect(await db.transaction((tx) => ledger.insert(tx, [a]))).toBe(0);
    const rows = await ledger.unpublished({ limit: 10 });
    expect(rows.map((r) => r.source.offset)).toEqual(['10', '11']);
    const [first, tombstone] = rows;
    expect(first).toMatchObject({
      reason: 'invalid_order',
      uid: 'u-1',
      valueSize: 19,
      valueTruncated: false,
      valueSha256: null,
      source: { topic: 'orders', partition: 0, timestamp: '1700000000123' },
    });
    expect(first?.key?.toString()).toBe('k-10');
    expect(first?.value?.toString()).toBe('{"order_uid":"u-1"}');
    expect(first?.problems).toEqual([
      { path: 'items', code: 'too_small', message: 'at least one item' },
    ]);
    // headers byte for byte, in order
    expect(first?.headers.map((h) => [h.name, [...h.value]])).toEqual([
      ['traceparent', [...Buffer.from('00-abc-01')]],
      ['bin', [0, 255, 1]],
    ]);
    expect(tombstone).toMatchObject({ value: null, valueSize: null, uid: null });
  });

  it('a value over the cap is kept cut, with its size and sha256', async () => {
    const big = Buffer.alloc(5_000, 'z');
    await db.transaction((tx) => ledger.insert(tx, [letter(1, 7, big)]));
    const [row] = await ledger.unpublished({
      partitions: [{ topic: 'orders', partition: 1 }],
      limit: 5,
    });
    expect(row?.value?.length).toBe(CAP);
    expect(row).toMatchObject({
      valueSize: 5_000,
      valueTruncated: true,
      valueSha256: createHash('sha256').update(big).digest('hex'),
    });
  });

  it('marked published, a letter leaves the outbox; only the partitions asked for', async () => {
    const all = await ledger.unpublished({ limit: 100 });
    const p0 = await ledger.unpublished({
      partitions: [{ topic: 'orders', partition: 0 }],
      limit: 100,
    });
    expect(p0.every((r) => r.source.partition === 0)).toBe(true);
    expect(p0.length).toBeLessThan(all.length);
    await ledger.markPublished(p0.map((r) => r.id));
    const left = await ledger.unpublished({ limit: 100 });
    expect(left.map((r) => r.id)).toEqual(
      all.filter((r) => r.source.partition !== 0).map((r) => r.id),
    );
  });
});

describe('consumer offsets (real PostgreSQL)', () => {
  const at = { groupId: 'g', topic: 'orders', partition: 3 };

  it('moves only from the value the member knows: a zombie finds another and writes nothing', async () => {
    expect(await offsets.read('g', 'orders', [3])).toEqual(new Map());
    expect(await db.transaction((tx) => offsets.advance(tx, at, undefined, '100'))).toBe(true);
    // another member created the row first
    expect(await db.transaction((tx) => offsets.advance(tx, at, undefined, '50'))).toBe(false);
    expect(await db.transaction((tx) => offsets.advance(tx, at, '100', '250'))).toBe(true);
    // a zombie still believes 100
    expect(await db.transaction((tx) => offsets.advance(tx, at, '100', '180'))).toBe(false);
    expect(await offsets.read('g', 'orders', [3, 4])).toEqual(new Map([[3, '250']]));
    // other groups and partitions are their own rows
    expect(await offsets.read('other', 'orders', [3])).toEqual(new Map());
  });
});
