// Pure pieces of the runner: pacing, the record a letter is sent as, a chunk's validation.
import { type ProducedRecord, REDRIVE_HEADERS } from '@orders/kafka';
import { decodeOrder } from '@orders/model';
import { cappedProblems } from '../handle-batch.ts';
import type { ChunkRow } from './runs-repo.ts';

const MAX_CHUNK = 500;
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

/** Letters per chunk at `rate`: about twenty chunks a second, at most 500 letters each. */
export function chunkSize(rate: number): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.round(rate / 20)));
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
