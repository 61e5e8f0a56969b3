// Dead letters → records that the dead-letter topic accepts, in sends it accepts.
//
// The broker checks each record batch against the topic's `max.message.bytes`, and kafkajs puts
// all the records one send has for a partition into one batch. Letters keep their key, so one
// source partition's letters land in one DLQ partition: a mostly-invalid 2 MiB fetch used to make
// one batch over the limit (MESSAGE_TOO_LARGE, retried forever). Sizes here are upper bounds of
// Kafka's v2 record encoding, so a send built from them fits whatever the keys hash to.
import { createHash } from 'node:crypto';
import { type DeadLetter, DLQ_HEADERS, type HeaderValue } from './handle-batch.ts';

export type OutboundHeaders = Record<string, Buffer | string | (Buffer | string)[]>;

export type OutboundRecord = {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: OutboundHeaders;
};

/** What was given up to make a letter fit (see fitDeadLetter). */
export type Cut = 'none' | 'value' | 'original_headers' | 'key';

/** Bytes of a v2 record batch besides its records (baseOffset … record count). */
export const RECORD_BATCH_OVERHEAD = 61;
// attributes, then the timestamp delta (varlong) and offset delta (varint) at their widest: they
// depend on the record's place in the batch
const RECORD_FIXED = 1 + 10 + 5;

/** Bytes of a zigzag varint (Kafka's record fields; -1 marks a null key or value). */
function varintSize(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

const bytesField = (length: number | null) =>
  length === null ? varintSize(-1) : varintSize(length) + length;

/** Original headers are kept under this prefix: a producer cannot forge an x-dlq-* header. */
export const ORIGINAL_HEADER_PREFIX = 'x-dlq-original-';

function byteLength(v: Buffer | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function headersSize(headers: OutboundHeaders): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      count++;
      bytes += bytesField(Buffer.byteLength(name)) + bytesField(byteLength(v));
    }
  }
  return { count, bytes };
}

/** At least the bytes this record takes in a v2 record batch (exact but for the two deltas). */
export function recordSize(record: OutboundRecord): number {
  const headers = headersSize(record.headers);
  const body =
    RECORD_FIXED +
    bytesField(record.key === null ? null : byteLength(record.key)) +
    bytesField(record.value === null ? null : record.value.length) +
    varintSize(headers.count) +
    headers.bytes;
  return varintSize(body) + body;
}

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
  const originals = originalHeaders(letter.originalHeaders);
  let key: Buffer | string | null = letter.key;
  if (key === null && options.needsKey) key = coordinatesKey(letter);
  const whole = { key, value: letter.value, headers: { ...own, ...originals } };
  if (recordSize(whole) <= options.recordBudget) return { record: whole, cut: 'none' };

  const value = letter.value;
  const attempts: { key: Buffer | string | null; headers: OutboundHeaders; cut: Cut }[] = [];
  if (value !== null) {
    own[DLQ_HEADERS.valueTruncated] = 'true';
    own[DLQ_HEADERS.valueBytes] = String(value.length);
    own[DLQ_HEADERS.valueSha256] = sha256(value);
    attempts.push({ key, headers: { ...own, ...originals }, cut: 'value' });
  }
  const withoutOriginals = { ...own };
  const dropped = Object.keys(originals).length;
  if (dropped > 0) {
    withoutOriginals[DLQ_HEADERS.originalHeadersDropped] = String(dropped);
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

/** Records in order, split into sends of at most `batchBudget` bytes of records each. */
export function chunkRecords(records: OutboundRecord[], batchBudget: number): OutboundRecord[][] {
  const chunks: OutboundRecord[][] = [];
  let current: OutboundRecord[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = recordSize(record);
    if (current.length > 0 && size + bytes > batchBudget) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(record);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
