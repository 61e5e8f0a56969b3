import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from '../test/fixtures.ts';
import { createBatchDecoder } from './batch-decoder.ts';
import { handleBatch, type InboundBatch, type InboundMessage } from './handle-batch.ts';

const MAX = 64 * 1024;

function batchOf(partition: number, values: (Buffer | null)[]): InboundBatch {
  const messages: InboundMessage[] = values.map((value, i) => ({
    key: null,
    value,
    offset: String(i),
    timestamp: String(1_700_000_000_000 + i),
  }));
  return { topic: 't', partition, messages };
}

const validBatch = (partition: number, count: number) =>
  batchOf(
    partition,
    Array.from({ length: count }, (_, i) => bytes(makeOrder(`p${partition}-${i}`))),
  );

describe('createBatchDecoder', () => {
  it('gives handleBatch’s result: valid, superseded in batch and every dead-letter kind', async () => {
    const values = [
      bytes(makeOrder('a')),
      ...invalidMessages(MAX).map((c) => c.value),
      bytes(makeOrder('b')),
      bytes({ ...makeOrder('a'), locale: 'ru' }),
    ];
    const batch = batchOf(2, values);
    const decoder = createBatchDecoder({ maxBytes: MAX, sliceSize: 3 });
    const got = await decoder.decode(batch);
    expect(got).toEqual(handleBatch(batch, { maxBytes: MAX }));
    expect(got.supersededInBatch).toBe(1);
    expect(got.deadLetters.length).toBe(invalidMessages(MAX).length);
  });

  it('hands the event loop back every sliceSize messages', async () => {
    let yields = 0;
    const decoder = createBatchDecoder({
      maxBytes: MAX,
      sliceSize: 10,
      yieldToLoop: async () => {
        yields++;
      },
    });
    await decoder.decode(validBatch(0, 95));
    expect(yields).toBe(9);
  });

  it('lets timers and I/O run while a long batch decodes', async () => {
    let turns = 0;
    let stop = false;
    const spin = () => {
      if (stop) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const decoder = createBatchDecoder({ maxBytes: MAX, sliceSize: 20 });
    await decoder.decode(validBatch(0, 400));
    stop = true;
    // one decode in one go would let the spinner run at most once or twice
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('decodes batches one at a time, in the order handed in', async () => {
    const order: string[] = [];
    const decoder = createBatchDecoder({ maxBytes: MAX, sliceSize: 10 });
    // side by side, the short batch would finish first
    const long = decoder.decode(validBatch(0, 300)).then(() => order.push('long'));
    const short = decoder.decode(validBatch(1, 5)).then(() => order.push('short'));
    await Promise.all([long, short]);
    expect(order).toEqual(['long', 'short']);
  });

  it('keeps decoding the batches behind one whose decode threw', async () => {
    let calls = 0;
    const decoder = createBatchDecoder({
      maxBytes: MAX,
      sliceSize: 1,
      yieldToLoop: async () => {
        if (++calls === 1) throw new Error('boom');
      },
    });
    const failed = decoder.decode(validBatch(0, 3));
    const next = decoder.decode(validBatch(1, 2));
    await expect(failed).rejects.toThrow('boom');
    expect((await next).valid.map((v) => v.uid)).toEqual(['p1-0', 'p1-1']);
  });
});
