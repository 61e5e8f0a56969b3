// A dead letter → a record the dead-letter topic accepts: what gives way, in which order, when a
// letter alone is over the topic's limit. The sizes and the split into sends are Kafka encoding
// knowledge and live in @orders/kafka (recordSize, chunkRecords); so does the header contract.
import { createHash } from 'node:crypto';
import {
  byteLength,
  DLQ_HEADERS,
  type HeaderValue,
  ORIGINAL_HEADER_PREFIX,
  type OutboundHeaders,
  type OutboundRecord,
  recordSize,
} from '@orders/kafka';
import type { DeadLetter } from './handle-batch.ts';

/** What was given up to make a letter fit (see fitDeadLetter). */
export type Cut = 'none' | 'value' | 'original_headers' | 'key';

function originalHeaders(headers: Record<string, HeaderValue> | undefined): OutboundHeaders {
  const out: OutboundHeaders = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[`${ORIGINAL_HEADER_PREFIX}${name}`] = value;
  }
  return out;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The record for a source message whose key the DLQ topic needs (compacted) but that had none. */
export function coordinatesKey(letter: DeadLetter): string {
  return `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`;
}

export type FitOptions = {
  /** most bytes one record may take (the topic's limit less the batch overhead) */
  recordBudget: number;
  /** the topic is compacted: a record without a key would be refused */
  needsKey?: boolean;
};

/**
 * The letter as a record of at most `recordBudget` bytes. What gives way, in order: the value is
 * cut (marked, with its original size and sha256); then the original headers are dropped (their
 * count noted); then the key (its size and sha256 noted, the source coordinates instead). Undefined
 * when even our own headers do not fit.
 */
export function fitDeadLetter(
  letter: DeadLetter,
  options: FitOptions,
): { record: OutboundRecord; cut: Cut } | undefined {
  const own: OutboundHeaders = { ...letter.headers };
  // the source key, when the record key is the coordinates, gives way with the original headers
  const originals = originalHeaders(letter.originalHeaders);
  if (letter.sourceKey) originals[DLQ_HEADERS.sourceKey] = letter.sourceKey;
  let key: Buffer | string | null = letter.key;
  if (key === null && options.needsKey) key = coordinatesKey(letter);
  const whole = { key, value: letter.value, headers: { ...own, ...originals } };
  if (recordSize(whole) <= options.recordBudget) return { record: whole, cut: 'none' };

  const value = letter.value;
  const attempts: { key: Buffer | string | null; headers: OutboundHeaders; cut: Cut }[] = [];
  if (value !== null) {
    // a value the ledger already cut keeps the whole value's size and sha256
    if (own[DLQ_HEADERS.valueBytes] === undefined) {
      own[DLQ_HEADERS.valueBytes] = String(value.length);
      own[DLQ_HEADERS.valueSha256] = sha256(value);
    }
    own[DLQ_HEADERS.valueTruncated] = 'true';
    attempts.push({ key, headers: { ...own, ...originals }, cut: 'value' });
  }
  const withoutOriginals = { ...own };
  const dropped = Object.keys(originals).filter((k) => k !== DLQ_HEADERS.sourceKey).length;
  if (Object.keys(originals).length > 0) {
    if (dropped > 0) withoutOriginals[DLQ_HEADERS.originalHeadersDropped] = String(dropped);
    attempts.push({ key, headers: withoutOriginals, cut: 'original_headers' });
  }
  if (key !== null) {
    const keyless = { ...withoutOriginals };
    keyless[DLQ_HEADERS.keyBytes] = String(byteLength(key));
    keyless[DLQ_HEADERS.keySha256] = sha256(key);
    attempts.push({ key: coordinatesKey(letter), headers: keyless, cut: 'key' });
  }
  for (const attempt of attempts) {
    if (value === null) {
      const record = { key: attempt.key, value: null, headers: attempt.headers };
      if (recordSize(record) <= options.recordBudget) return { record, cut: attempt.cut };
      continue;
    }
    // the value's length varints widen as it grows: step down the few bytes they take
    const sized = (room: number) => ({
      key: attempt.key,
      value: value.subarray(0, room),
      headers: attempt.headers,
    });
    let room = options.recordBudget - recordSize(sized(0));
    while (room >= 0 && recordSize(sized(room)) > options.recordBudget) room--;
    if (room >= 0) return { record: sized(room), cut: attempt.cut };
  }
  return undefined;
}
