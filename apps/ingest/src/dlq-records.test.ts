import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  chunkRecords,
  fitDeadLetter,
  ORIGINAL_HEADER_PREFIX,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  recordSize,
} from './dlq-records.ts';
import { type DeadLetter, DLQ_HEADERS, deadLetter } from './handle-batch.ts';

// kafkajs's own encoder, the bytes the broker checks against max.message.bytes
const require = createRequire(import.meta.url);
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => unknown;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(b: object): Promise<{ buffer: Buffer }>;
};

async function encodedBatchSize(records: OutboundRecord[]): Promise<number> {
  const encoded = await RecordBatch({
    transactional: true,
    records: records.map((r, i) =>
      Record({ offsetDelta: i, timestampDelta: 1_000_000, ...r, headers: r.headers }),
    ),
  });
  return encoded.buffer.length;
}

function letter(
  value: Buffer | null,
  opts: { key?: Buffer | null; headers?: Record<string, Buffer | string> } = {},
): DeadLetter {
  return deadLetter(
    'invalid_order',
    [{ path: 'delivery.phone', code: 'format', message: 'not a phone number' }],
    {
      key: opts.key ?? null,
      value,
      offset: '1234567',
      timestamp: '1700000000000',
      headers: opts.headers,
    },
    'orders',
    3,
  );
}

const LIMIT = 64 * 1024;
const budget = { recordBudget: LIMIT - RECORD_BATCH_OVERHEAD };

describe('recordSize', () => {
  it("bounds kafkajs's encoding from above, by a few bytes per record", async () => {
    const cases = [
      letter(null),
      letter(Buffer.alloc(100, 'x'), { key: Buffer.from('k') }),
      letter(Buffer.alloc(40_000, 'y'), { headers: { traceparent: '00-ab-cd-01', é: 'ü' } }),
    ];
    for (const l of cases) {
      const fitted = fitDeadLetter(l, budget);
      if (!fitted) throw new Error('did not fit');
      const real = (await encodedBatchSize([fitted.record])) - RECORD_BATCH_OVERHEAD;
      expect(recordSize(fitted.record)).toBeGreaterThanOrEqual(real);
      expect(recordSize(fitted.record) - real).toBeLessThanOrEqual(14);
    }
  });
});

describe('fitDeadLetter', () => {
  it('keeps a letter that fits whole, original headers under the prefix', () => {
    const fitted = fitDeadLetter(
      letter(Buffer.from('{"a":1}'), { headers: { traceparent: 't', [DLQ_HEADERS.reason]: 'x' } }),
      budget,
    );
    expect(fitted?.cut).toBe('none');
    expect(fitted?.record.value?.toString()).toBe('{"a":1}');
    expect(fitted?.record.headers[`${ORIGINAL_HEADER_PREFIX}traceparent`]).toBe('t');
    // a producer's own x-dlq-reason cannot replace ours
    expect(fitted?.record.headers[DLQ_HEADERS.reason]).toBe('invalid_order');
    expect(fitted?.record.headers[`${ORIGINAL_HEADER_PREFIX}${DLQ_HEADERS.reason}`]).toBe('x');
  });

  it('cuts the value to fit, marked with its size and sha256', async () => {
    const value = Buffer.alloc(200_000, 'v');
    const fitted = fitDeadLetter(letter(value), budget);
    expect(fitted?.cut).toBe('value');
    const record = fitted?.record as OutboundRecord;
    expect(record.headers[DLQ_HEADERS.valueTruncated]).toBe('true');
    expect(record.headers[DLQ_HEADERS.valueBytes]).toBe('200000');
    expect(record.headers[DLQ_HEADERS.valueSha256]).toMatch(/^[0-9a-f]{64}$/);
    expect(record.value?.length).toBeGreaterThan(LIMIT - 2_000);
    expect(recordSize(record)).toBeLessThanOrEqual(budget.recordBudget);
    expect(recordSize(record)).toBeGreaterThan(budget.recordBudget - 4);
    expect(await encodedBatchSize([record])).toBeLessThanOrEqual(LIMIT);
  });

  it('drops the original headers, then the key, when they alone are over the budget', () => {
    const big = Buffer.alloc(70_000, 'h');
    const noHeaders = fitDeadLetter(letter(Buffer.from('v'), { headers: { big } }), budget);
    expect(noHeaders?.cut).toBe('original_headers');
    expect(noHeaders?.record.headers[DLQ_HEADERS.originalHeadersDropped]).toBe('1');
    expect(noHeaders?.record.headers[`${ORIGINAL_HEADER_PREFIX}big`]).toBeUndefined();

    const noKey = fitDeadLetter(letter(Buffer.from('v'), { key: big }), budget);
    expect(noKey?.cut).toBe('key');
    expect(noKey?.record.key).toBe('orders/3/1234567');
    expect(noKey?.record.headers[DLQ_HEADERS.keyBytes]).toBe('70000');
  });

  it('a tombstone stays a tombstone; a compacted topic gets the source coordinates as key', () => {
    expect(fitDeadLetter(letter(null), budget)?.record.value).toBeNull();
    expect(fitDeadLetter(letter(null), budget)?.record.key).toBeNull();
    const keyed = fitDeadLetter(letter(null), { ...budget, needsKey: true });
    expect(keyed?.record.key).toBe('orders/3/1234567');
  });

  it('undefined when even our own headers do not fit', () => {
    expect(fitDeadLetter(letter(Buffer.from('v')), { recordBudget: 100 })).toBeUndefined();
  });
});

describe('chunkRecords', () => {
  it('every send encodes under the limit, in order, none empty', async () => {
    // ~820-byte invalid orders: a 2 MiB fetch of them once made one 2.6 MB DLQ batch
    const records = Array.from({ length: 2_500 }, (_, i) => {
      const fitted = fitDeadLetter(letter(Buffer.alloc(820, String(i % 10))), budget);
      return fitted?.record as OutboundRecord;
    });
    const chunks = chunkRecords(records, LIMIT - RECORD_BATCH_OVERHEAD);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(await encodedBatchSize(chunk)).toBeLessThanOrEqual(LIMIT);
    }
    // and not wastefully small: each but the last is filled to within two records
    for (const chunk of chunks.slice(0, -1)) {
      expect(await encodedBatchSize(chunk)).toBeGreaterThan(LIMIT - 2 * 1_200);
    }
  });
});
