import {
  DLQ_HEADERS,
  encodedBatchSize,
  ORIGINAL_HEADER_PREFIX,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  recordSize,
} from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { fitDeadLetter } from './dlq-records.ts';
import { type DeadLetter, deadLetter } from './handle-batch.ts';

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

describe('fitted letters against the real encoding', () => {
  it("a letter's record is bounded by recordSize, which bounds kafkajs's encoding by a few bytes", async () => {
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
