import type { StoredOrder } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createBatchReads, ReadFailure } from './batch-reads.ts';
import { storedOrder } from './test/orders.ts';

/** A lane whose queries wait until `answer()`; the test sees each query's keys. */
function heldLane(options: Partial<Parameters<typeof createBatchReads>[0]> = {}) {
  const queries: {
    keys: string[];
    answer: (orders: StoredOrder[]) => void;
    fail: (e: Error) => void;
  }[] = [];
  const sizes: number[] = [];
  const reads = createBatchReads({
    maxQueries: 1,
    maxBatchKeys: 10,
    maxQueuedKeys: 100,
    timeoutMs: 0,
    onQuery: (keys) => sizes.push(keys),
    ...options,
  });
  const read = reads.lane(
    (keys: string[]) =>
      new Promise<StoredOrder[]>((answer, fail) => queries.push({ keys, answer, fail })),
    (order) => order.uid,
  );
  return { reads, read, queries, sizes };
}

describe('createBatchReads', () => {
  it('sends a key at once while a slot is free, and queues the rest for one query', async () => {
    const { reads, read, queries, sizes } = heldLane();
    const first = read('a');
    const rest = ['b', 'c', 'd'].map(read);
    expect(queries.map((q) => q.keys)).toEqual([['a']]);
    expect(reads.stats()).toEqual({ queued: 3, running: 1 });
    queries[0]?.answer([storedOrder(1, 'a')]);
    expect((await first)?.id).toBe(1);
    expect(queries.map((q) => q.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    // answers come back in any order and are matched by key; a key with none is undefined
    queries[1]?.answer([storedOrder(4, 'd'), storedOrder(2, 'b')]);
    expect((await Promise.all(rest)).map((o) => o?.id)).toEqual([2, undefined, 4]);
    expect(reads.stats()).toEqual({ queued: 0, running: 0 });
    expect(sizes).toEqual([1, 3]);
  });

  it('fails with ReadFailure shed beyond maxQueuedKeys, and timeout past timeoutMs', async () => {
    const { read, queries } = heldLane({ maxQueuedKeys: 1, timeoutMs: 15 });
    const running = read('a').catch((e: unknown) => e);
    const waiting = read('b').catch((e: unknown) => e);
    const shed = await read('c').catch((e: unknown) => e);
    expect(shed).toBeInstanceOf(ReadFailure);
    expect(shed).toMatchObject({ code: 'shed' });
    expect(await running).toMatchObject({ code: 'timeout' });
    expect(await waiting).toMatchObject({ code: 'timeout' });
    queries[0]?.answer([storedOrder(1, 'a')]); // too late: nobody is told twice
  });

  it('passes a failed query to every key of it', async () => {
    const { read, queries } = heldLane({ maxQueries: 1 });
    const keys = ['a', 'b', 'c'].map((k) => read(k).catch((e: unknown) => e));
    queries[0]?.fail(new Error('connection terminated'));
    await keys[0]; // settled: the freed slot has sent the two waiting keys
    queries[1]?.fail(new Error('connection terminated'));
    for (const failure of await Promise.all(keys)) {
      expect(failure).toMatchObject({ message: 'connection terminated' });
    }
    expect(queries.map((q) => q.keys)).toEqual([['a'], ['b', 'c']]);
  });
});
