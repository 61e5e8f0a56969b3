// Kafka's v2 record encoding, as sizes: what a record takes in a record batch, and sends split so
// each stays under a topic's limit.
//
// The broker checks each record batch against the topic's `max.message.bytes`, and kafkajs puts
// all the records one send has for a partition into one batch. Sizes here are upper bounds of the
// encoding (checked against kafkajs's own encoder in the tests), so a send built from them fits
// whatever partition its keys hash to.
import { createRequire } from 'node:module';

export type OutboundHeaders = Record<string, Buffer | string | (Buffer | string)[]>;

export type OutboundRecord = {
  key: Buffer | string | null;
  value: Buffer | null;
  headers: OutboundHeaders;
};

/** Kafka's default message.max.bytes, to assume when a topic's config cannot be read (no ACL). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

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

/** Bytes of a key, value or header value (UTF-8 for strings); 0 for none. */
export function byteLength(v: Buffer | string | null | undefined): number {
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

// kafkajs's own encoder: the bytes the broker checks against max.message.bytes
const require = createRequire(import.meta.url);
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (
  r: object,
) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(b: object): Promise<{ buffer: Buffer }>;
};

/**
 * The exact size kafkajs encodes `records` to as one transactional v2 record batch (uncompressed),
 * what the broker compares with max.message.bytes. For tests of the bounds above and of what is
 * built on them.
 */
export async function encodedBatchSize(records: OutboundRecord[]): Promise<number> {
  const encoded = await RecordBatch({
    transactional: true,
    records: records.map((r, i) =>
      encodeRecord({ offsetDelta: i, timestampDelta: 1_000_000, ...r, headers: r.headers }),
    ),
  });
  return encoded.buffer.length;
}
