// The dead-letter ledger: one row per source message (topic, partition, offset unique), written in
// the batch's transaction with its orders and offsets, so it holds each invalid message exactly
// once. It is also the outbox of the dead-letter topic: rows not yet published are sent after the
// commit and marked (outbox.ts).
import { createHash } from 'node:crypto';
import type { Queryable } from './db.ts';
import { cappedProblems, type DeadLetter, type HeaderValue } from './handle-batch.ts';

export type LedgerLetter = {
  id: number;
  reason: string;
  problems: unknown;
  source: { topic: string; partition: number; offset: string; timestamp: string | null };
  uid: string | null;
  key: Buffer | null;
  value: Buffer | null;
  /** the original value's size (null for a tombstone) */
  valueSize: number | null;
  valueTruncated: boolean;
  valueSha256: string | null;
  headers: { name: string; value: Buffer }[];
};

export type LedgerRepo = {
  /** in the batch's transaction; a source offset already there is left as it is */
  insert(tx: Queryable, letters: DeadLetter[]): Promise<number>;
  /** the oldest letters not yet on the dead-letter topic, of `partitions` when given */
  unpublished(opts: {
    partitions?: { topic: string; partition: number }[];
    limit: number;
  }): Promise<LedgerLetter[]>;
  markPublished(ids: number[]): Promise<void>;
};

export type LedgerOptions = {
  /** most value bytes kept per letter (KAFKA_MAX_BYTES: any value that could pass fits whole) */
  valueCap: number;
};

function headerList(headers: Record<string, HeaderValue> | undefined) {
  const out: { name: string; value: string }[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      out.push({ name, value: Buffer.from(v).toString('base64') });
    }
  }
  return out;
}

/** The row for one letter, as the JSON the insert statement reads. */
export function ledgerRow(letter: DeadLetter, cap: number) {
  const value = letter.value;
  const cut = value !== null && value.length > cap;
  return {
    t: letter.source.topic,
    p: letter.source.partition,
    o: letter.source.offset,
    ts: Number(letter.source.timestamp) || null,
    r: letter.reason,
    pr: cappedProblems(letter.problems),
    u: letter.uid ?? null,
    k: letter.key?.toString('base64') ?? null,
    v: value === null ? null : (cut ? value.subarray(0, cap) : value).toString('base64'),
    vs: value?.length ?? null,
    vt: cut,
    vh: cut ? createHash('sha256').update(value).digest('hex') : null,
    h: headerList(letter.originalHeaders),
  };
}

const INSERT_SQL = `
INSERT INTO dead_letters (src_topic, src_partition, src_offset, src_timestamp, reason, problems,
  uid, key, value, value_size, value_truncated, value_sha256, headers)
SELECT t, p, o, to_timestamp(ts / 1000.0), r, pr, u, decode(k, 'base64'), decode(v, 'base64'), vs,
  vt, vh, h
FROM jsonb_to_recordset($1::jsonb) AS x(t text, p int, o bigint, ts float8, r text, pr jsonb,
  u text, k text, v text, vs int, vt boolean, vh text, h jsonb)
ON CONFLICT (src_topic, src_partition, src_offset) DO NOTHING`;

type Row = {
  id: number;
  src_topic: string;
  src_partition: number;
  src_offset: string;
  ts_ms: number | null;
  reason: string;
  problems: unknown;
  uid: string | null;
  key: Buffer | null;
  value: Buffer | null;
  value_size: number | null;
  value_truncated: boolean;
  value_sha256: string | null;
  headers: { name: string; value: string }[];
};

// a few MiB per statement at most: letters are capped at valueCap each
const INSERT_CHUNK = 200;

export function createLedgerRepo(db: Queryable, options: LedgerOptions): LedgerRepo {
  return {
    async insert(tx, letters) {
      let inserted = 0;
      for (let i = 0; i < letters.length; i += INSERT_CHUNK) {
        const rows = letters.slice(i, i + INSERT_CHUNK).map((l) => ledgerRow(l, options.valueCap));
        const result = await tx.query(INSERT_SQL, [JSON.stringify(rows)]);
        inserted += result.rowCount ?? 0;
      }
      return inserted;
    },
    async unpublished({ partitions, limit }) {
      const topics = partitions?.map((p) => p.topic) ?? null;
      const numbers = partitions?.map((p) => p.partition) ?? null;
      const { rows } = await db.query<Row>(
        `SELECT id, src_topic, src_partition, src_offset::text AS src_offset,
           (extract(epoch FROM src_timestamp) * 1000)::float8 AS ts_ms, reason, problems, uid, key,
           value, value_size, value_truncated, value_sha256, headers
         FROM dead_letters
         WHERE published_at IS NULL
           AND ($1::text[] IS NULL OR (src_topic, src_partition) IN
             (SELECT * FROM unnest($1::text[], $2::int[])))
         ORDER BY id LIMIT $3`,
        [topics, numbers, limit],
      );
      return rows.map((r) => ({
        id: r.id,
        reason: r.reason,
        problems: r.problems,
        source: {
          topic: r.src_topic,
          partition: r.src_partition,
          offset: r.src_offset,
          timestamp: r.ts_ms === null ? null : String(Math.round(r.ts_ms)),
        },
        uid: r.uid,
        key: r.key,
        value: r.value,
        valueSize: r.value_size,
        valueTruncated: r.value_truncated,
        valueSha256: r.value_sha256,
        headers: r.headers.map((h) => ({ name: h.name, value: Buffer.from(h.value, 'base64') })),
      }));
    },
    async markPublished(ids) {
      if (ids.length === 0) return;
      await db.query('UPDATE dead_letters SET published_at = now() WHERE id = ANY($1::bigint[])', [
        ids,
      ]);
    },
  };
}
