// Pure pieces of the runner: pacing, the record a letter is sent as, a chunk's validation.
import {
  type ProducedRecord,
  RECORD_BATCH_OVERHEAD,
  REDRIVE_HEADERS,
  recordSize,
} from '@orders/kafka';
import { decodeOrder } from '@orders/model';
import { cappedProblems } from '../handle-batch.ts';
import type { ChunkRow } from './runs-repo.ts';

const MAX_CHUNK = 2_000;
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Letters per chunk at `rate`: about five chunks a second, at most 2,000 letters each. A chunk
 * costs two PostgreSQL transactions and a Kafka one whatever its size (~140 ms on 2 busy cores),
 * so at 500 letters a chunk the send loop could not pass ~2,500 letters/s.
 */
export function chunkSize(rate: number): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.round(rate / 5)));
}

/**
 * How many of `records`, from the first, one send may take: kafkajs puts a send's records for a
 * partition into one record batch, which the broker refuses over the topic's max.message.bytes
 * (a refused chunk falls back to one letter per transaction: correct, but ~100 times slower). The
 * first always goes (alone it passed KAFKA_MAX_BYTES); records without an explicit partition are
 * counted together, as if they all hashed to one.
 */
export function fittingRecords(
  records: readonly ProducedRecord[],
  maxMessageBytes: number,
): number {
  const budget = maxMessageBytes - RECORD_BATCH_OVERHEAD;
  const used = new Map<number, number>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ProducedRecord;
    const value = r.value === null || Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    const size = recordSize({ key: r.key ?? null, value, headers: r.headers ?? {} });
    const partition = r.partition ?? -1;
    const total = (used.get(partition) ?? 0) + size;
    if (i > 0 && total > budget) return i;
    used.set(partition, total);
  }
  return records.length;
}

/** The redriven record of a letter: its key, value and source headers, and ours. */
export function redriveRecord(
  row: ChunkRow,
  run: number,
  o: { topic: string; partitions: number },
): ProducedRecord {
  const headers: Record<string, Buffer[]> = {};
  for (const h of row.headers) {
    // an earlier redrive's headers (the letter of a redriven message that failed again) go
    if (h.name.startsWith('x-redrive-')) continue;
    const values = headers[h.name] ?? [];
    headers[h.name] = values;
    values.push(Buffer.from(h.value, 'base64'));
  }
  const record: ProducedRecord = {
    key: row.key,
    value: row.value,
    headers: {
      ...headers,
      [REDRIVE_HEADERS.letter]: String(row.letter_id),
      [REDRIVE_HEADERS.run]: String(run),
    },
  };
  // back to the letter's own partition, so its versions stay on one partition (memory ownership
  // and the offset order of its partition); a letter of another topic goes by its key
  if (row.src_topic === o.topic && row.src_partition < o.partitions) {
    record.partition = row.src_partition;
  }
  return record;
}

export type Skip = { letter: number; reason: string; problems: unknown };

/** A chunk's letters that pass now, and the rest skipped with why (a cut value never passes). */
export function validateChunk(
  rows: ChunkRow[],
  maxMessageBytes: number,
): { sendable: ChunkRow[]; skipped: Skip[] } {
  const sendable: ChunkRow[] = [];
  const skipped: Skip[] = [];
  for (const row of rows) {
    if (row.value_truncated && !row.edited) {
      skipped.push({ letter: row.letter_id, reason: 'truncated', problems: null });
      continue;
    }
    const decoded = decodeOrder(row.value, { maxBytes: maxMessageBytes });
    if (decoded.ok) sendable.push(row);
    else {
      skipped.push({
        letter: row.letter_id,
        reason: 'invalid',
        problems: cappedProblems(decoded.problems),
      });
    }
  }
  return { sendable, skipped };
}
