// A ledger of `n` dead letters written by PostgreSQL itself (generate_series, one statement): for
// the dead-letter reads benchmark and the EXPLAINs behind migration step 3. Shaped like what
// ingest stores, with skew an operator's ledger would have: most letters are invalid orders with a
// handful of common problem codes, few are too large, batches share their stored_at (the
// transaction's now()), a few uids come back many times (a producer re-sending a bad order), and
// values are the sample order's ~1.3 KB with their own uid.
import { sampleJson } from '@orders/model/testing';

/** Batches of letters share one stored_at, as a batch's transaction gives them. */
export const LETTERS_PER_BATCH = 8;
/** The letters span this much time, newest now: the last 48 h hold ~48/720 of them. */
export const SPAN_HOURS = 720;
/** uids `again-0` … `again-99` are each on ~1 % / 100 of the letters. */
export const REPEATED_UIDS = 100;

/**
 * The INSERT … SELECT that writes letters `from` … `from + n - 1`; $1 is the value template (the
 * sample order as JSON, its uid replaced by each letter's). Run it in a few chunks for progress.
 */
export function fillLedgerSql(): string {
  return `
INSERT INTO dead_letters (src_topic, src_partition, src_offset, src_timestamp, reason, problems,
  uid, key, value, value_size, value_truncated, value_sha256, headers, stored_at, published_at)
SELECT 'orders', p, o, at - interval '40 ms', reason, problems, uid, convert_to(uid, 'UTF8'), v,
  CASE WHEN truncated THEN 600000 ELSE octet_length(v) END, truncated,
  CASE WHEN truncated THEN md5(uid) END, '[]', at, at + interval '50 ms'
FROM (
  SELECT i, i % 6 AS p, i / 6 AS o,
    now() - (($4::bigint - i) / ${LETTERS_PER_BATCH}) * ($5::float8 * interval '1 ms') AS at,
    r.reason, r.problems, r.truncated,
    CASE WHEN r.reason IN ('invalid_order', 'rejected_by_database', 'too_large')
      THEN CASE WHEN i % 100 = 7 THEN 'again-' || (i / 100) % ${REPEATED_UIDS} ELSE 'uid-' || i END
    END AS uid
  FROM generate_series($2::bigint, $2::bigint + $3::bigint - 1) AS i
  CROSS JOIN LATERAL (SELECT
    CASE
      WHEN i % 100 < 70 THEN 'invalid_order'
      WHEN i % 100 < 82 THEN 'not_json'
      WHEN i % 100 < 87 THEN 'not_object'
      WHEN i % 100 < 92 THEN 'empty'
      WHEN i % 100 < 95 THEN 'too_large'
      ELSE 'rejected_by_database'
    END AS reason,
    i % 100 BETWEEN 92 AND 94 AS truncated) AS k
  CROSS JOIN LATERAL (SELECT k.reason, k.truncated, CASE k.reason
      WHEN 'invalid_order' THEN (
        -- 1 to 3 problems; codes skewed: required and type common, unsafe_integer rare
        SELECT jsonb_agg(jsonb_build_object('path', 'items[' || j || '].price', 'code',
          (ARRAY['required','required','required','type','type','format','too_long','too_small',
                 'not_integer','nul_char','invalid_unicode','forbidden_key','too_deep',
                 'required','type','unsafe_integer'])[1 + ((i * 7 + j * 13) % 16)],
          'message', 'expected a non-negative integer'))
        FROM generate_series(0, (i % 3)) AS j)
      WHEN 'not_json' THEN '[{"path":"","code":"syntax","message":"not UTF-8 JSON: Unexpected end of JSON input"}]'
      WHEN 'not_object' THEN '[{"path":"","code":"type","message":"expected a JSON object, got array"}]'
      WHEN 'empty' THEN '[{"path":"","code":"required","message":"message value is empty (null or 0 bytes)"}]'
      WHEN 'too_large' THEN '[{"path":"","code":"too_long","message":"value is 600000 bytes, limit 524288"}]'
      ELSE '[{"path":"","code":"invalid","message":"SQLSTATE 23514: new row violates check constraint"}]'
    END::jsonb AS problems) AS r
) AS g
CROSS JOIN LATERAL (SELECT CASE
    WHEN reason = 'empty' THEN NULL
    WHEN reason = 'not_json' AND i % 2 = 0 THEN '\\xfffe7b226f72646572'::bytea
    WHEN reason = 'not_json' THEN convert_to(left(replace($1, '__UID__', 'uid-' || i), 300), 'UTF8')
    WHEN reason = 'not_object' THEN convert_to('[' || replace($1, '__UID__', 'uid-' || i) || ']', 'UTF8')
    WHEN truncated THEN convert_to(repeat(replace($1, '__UID__', uid), 3), 'UTF8')
    ELSE convert_to(replace($1, '__UID__', uid), 'UTF8')
  END AS v) AS val`;
}

/** $1 of fillLedgerSql: the sample order, compact, its uid a placeholder. */
export function valueTemplate(): string {
  const order = JSON.parse(sampleJson()) as Record<string, unknown>;
  order.order_uid = '__UID__';
  return JSON.stringify(order);
}

/** The parameters for letters `from` … `from + count - 1` of a ledger of `total`. */
export function fillParams(from: number, count: number, total: number): unknown[] {
  const stepMs = (SPAN_HOURS * 3_600_000) / (total / LETTERS_PER_BATCH);
  return [valueTemplate(), from, count, total, stepMs];
}
