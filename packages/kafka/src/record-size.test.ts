import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS, ORIGINAL_HEADER_PREFIX } from './dlq.ts';
import {
  chunkRecords,
  encodedBatchSize,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  recordSize,
} from './record-size.ts';

/** A record shaped like a dead letter: our headers, an original one, a value. */
function letterLike(value: Buffer | null, key: string | null = null): OutboundRecord {
  return {
    key,
    value,
    headers: {
      [DLQ_HEADERS.reason]: 'invalid_order',
      [DLQ_HEADERS.problems]: '[{"path":"delivery.phone","code":"format","message":"bad"}]',
      [DLQ_HEADERS.topic]: 'orders',
      [DLQ_HEADERS.partition]: '3',
      [DLQ_HEADERS.offset]: '1234567',
      [DLQ_HEADERS.timestamp]: '1700000000000',
      [`${ORIGINAL_HEADER_PREFIX}traceparent`]: Buffer.from('00-ab-cd-01'),
      [`${ORIGINAL_HEADER_PREFIX}é`]: ['ü', Buffer.from([0xff, 0x00])],
    },
  };
}

describe('recordSize', () => {
  it("bounds kafkajs's encoding from above, by a few bytes per record", async () => {
    for (const record of [
      letterLike(null),
      letterLike(Buffer.alloc(100, 'x'), 'k'),
      letterLike(Buffer.alloc(40_000, 'y'), 'ключ'),
      { key: null, value: Buffer.alloc(0), headers: {} },
    ]) {
      const real = (await encodedBatchSize([record])) - RECORD_BATCH_OVERHEAD;
      expect(recordSize(record)).toBeGreaterThanOrEqual(real);
      expect(recordSize(record) - real).toBeLessThanOrEqual(14);
    }
  });
});

describe('chunkRecords', () => {
  it('every send encodes under the limit, in order, none empty, none wastefully small', async () => {
    const limit = 64 * 1024;
    // ~820-byte values: a 2 MiB fetch of such invalid orders once made one 2.6 MB DLQ batch
    const records = Array.from({ length: 2_500 }, (_, i) =>
      letterLike(Buffer.alloc(820, String(i % 10)), `key-${i % 7}`),
    );
    const chunks = chunkRecords(records, limit - RECORD_BATCH_OVERHEAD);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(records);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(await encodedBatchSize(chunk)).toBeLessThanOrEqual(limit);
    }
    // each but the last is filled to within two records
    for (const chunk of chunks.slice(0, -1)) {
      expect(await encodedBatchSize(chunk)).toBeGreaterThan(limit - 2 * 1_200);
    }
  });

  it('a record over the budget goes alone; nothing in, nothing out', () => {
    const big = letterLike(Buffer.alloc(10_000));
    const small = letterLike(Buffer.alloc(10));
    expect(chunkRecords([small, big, small], 5_000)).toEqual([[small], [big], [small]]);
    expect(chunkRecords([], 5_000)).toEqual([]);
  });
});
