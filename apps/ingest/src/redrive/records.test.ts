import { REDRIVE_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from '../../test/fixtures.ts';
import { chunkSize, fittingRecords, redriveRecord, validateChunk } from './records.ts';
import type { ChunkRow } from './runs-repo.ts';

function row(over: Partial<ChunkRow> = {}): ChunkRow {
  return {
    letter_id: 41,
    value: bytes(makeOrder('uid-r')),
    edited: false,
    value_truncated: false,
    key: Buffer.from('uid-r'),
    headers: [],
    src_topic: 'orders',
    src_partition: 2,
    ...over,
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('chunkSize', () => {
  it('is about a fifth of the rate, 1 to 2,000', () => {
    expect(chunkSize(1)).toBe(1);
    expect(chunkSize(1_000)).toBe(200);
    expect(chunkSize(10_000)).toBe(2_000);
    expect(chunkSize(1_000_000)).toBe(2_000);
  });
});

describe('fittingRecords', () => {
  const record = (partition: number | undefined, bytes: number) => ({
    key: 'k',
    value: Buffer.alloc(bytes),
    ...(partition === undefined ? {} : { partition }),
  });

  it("stops before the record that would take its partition's batch over the limit", () => {
    // ~1,020 bytes a record: three fit in 3,200 on one partition, the fourth does not
    const one = [0, 0, 0, 0, 0].map((p) => record(p, 1_000));
    expect(fittingRecords(one, 3_200)).toBe(3);
    // spread over partitions, each batch has room
    const spread = [0, 1, 2, 0, 1, 2].map((p) => record(p, 1_000));
    expect(fittingRecords(spread, 3_200)).toBe(6);
    // without a partition they count as one
    expect(
      fittingRecords(
        [0, 1, 2, 3].map(() => record(undefined, 1_000)),
        3_200,
      ),
    ).toBe(3);
  });

  it('always takes the first, even over the limit', () => {
    expect(fittingRecords([record(0, 5_000), record(0, 10)], 1_000)).toBe(1);
    expect(fittingRecords([], 1_000)).toBe(0);
  });
});

describe('redriveRecord', () => {
  it('keeps key, value and source headers, names the letter and run, drops earlier redrive headers', () => {
    const r = redriveRecord(
      row({
        headers: [
          { name: 'traceparent', value: b64('00-abc') },
          { name: 'traceparent', value: b64('00-def') },
          { name: REDRIVE_HEADERS.letter, value: b64('9') },
          { name: REDRIVE_HEADERS.run, value: b64('8') },
        ],
      }),
      7,
      { topic: 'orders', partitions: 3 },
    );
    expect(r.key?.toString()).toBe('uid-r');
    expect(r.partition).toBe(2);
    expect(r.headers).toEqual({
      traceparent: [Buffer.from('00-abc'), Buffer.from('00-def')],
      [REDRIVE_HEADERS.letter]: '41',
      [REDRIVE_HEADERS.run]: '7',
    });
  });

  it('goes by its key when the letter came from another topic or a partition that is gone', () => {
    expect(
      redriveRecord(row({ src_topic: 'other' }), 1, { topic: 'orders', partitions: 3 }).partition,
    ).toBeUndefined();
    expect(
      redriveRecord(row({ src_partition: 5 }), 1, { topic: 'orders', partitions: 3 }).partition,
    ).toBeUndefined();
  });
});

describe('validateChunk', () => {
  it('sends what passes now, skips a cut value (unless edited) and what fails, with problems', () => {
    const bad = makeOrder('uid-bad') as Record<string, unknown>;
    delete bad.track_number;
    const { sendable, skipped } = validateChunk(
      [
        row({ letter_id: 1 }),
        row({ letter_id: 2, value_truncated: true }),
        row({ letter_id: 3, value_truncated: true, edited: true }),
        row({ letter_id: 4, value: bytes(bad) }),
        row({ letter_id: 5, value: null }),
      ],
      64 * 1024,
    );
    expect(sendable.map((r) => r.letter_id)).toEqual([1, 3]);
    expect(skipped.map((s) => [s.letter, s.reason])).toEqual([
      [2, 'truncated'],
      [4, 'invalid'],
      [5, 'invalid'],
    ]);
    expect(skipped[1]?.problems).toEqual([
      expect.objectContaining({ path: 'track_number', code: 'required' }),
    ]);
  });

  it('holds the running limit: a letter over maxMessageBytes is skipped', () => {
    const { sendable, skipped } = validateChunk([row()], 10);
    expect(sendable).toEqual([]);
    expect(skipped[0]?.reason).toBe('invalid');
  });
});
