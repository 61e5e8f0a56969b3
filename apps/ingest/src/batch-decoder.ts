// Decoding (parse, validate, canonical bytes: ~15 µs per message, ~20 ms for a 2 MiB batch) is the
// one long synchronous step of a batch. Done in one go, it held up everything else on the event
// loop (an offset commit waited ~11 ms on average), and the partitions' batches fell into step:
// decoding together, then all waiting on PostgreSQL together while this process idled.
// So batches decode one at a time, in arrival order, handing the event loop back every `sliceSize`
// messages: other batches' PostgreSQL results, offset commits and heartbeats are handled within
// about a millisecond, and one batch's upsert runs while the next batch decodes (bench:ingest
// 18,100-18,450 -> 20,500-21,000 orders/s at the same concurrency; apps/ingest/README.md).
import {
  createBatchAccumulator,
  type HandleBatchOptions,
  type HandledBatch,
  type InboundBatch,
} from './handle-batch.ts';

export type BatchDecoder = {
  /** handleBatch's result, once every batch handed in before this one is decoded */
  decode(batch: InboundBatch): Promise<HandledBatch>;
};

export type BatchDecoderOptions = HandleBatchOptions & {
  /** messages decoded between two turns of the event loop (default 50, ~1 ms) */
  sliceSize?: number;
  /** how to give the event loop a turn (default: setImmediate, after pending I/O) */
  yieldToLoop?: () => Promise<void>;
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createBatchDecoder(options: BatchDecoderOptions): BatchDecoder {
  const sliceSize = Math.max(1, options.sliceSize ?? 50);
  const yieldToLoop = options.yieldToLoop ?? nextTurn;
  // the tail of the queue: settles when the batch handed in last is decoded
  let tail: Promise<unknown> = Promise.resolve();

  async function decodeNow(batch: InboundBatch): Promise<HandledBatch> {
    const accumulator = createBatchAccumulator(batch, options);
    const { messages } = batch;
    for (let i = 0; i < messages.length; i++) {
      if (i > 0 && i % sliceSize === 0) await yieldToLoop();
      accumulator.add(messages[i] as InboundBatch['messages'][number]);
    }
    return accumulator.result();
  }

  return {
    decode(batch) {
      const result = tail.then(() => decodeNow(batch));
      // a failure (a bug: decoding never throws on input) must not stop the batches behind it
      tail = result.catch(() => {});
      return result;
    },
  };
}
