import { describe, expect, it } from 'vitest';
import { ReadFailure } from './batch-reads.ts';
import { createRecentReads, type RecentReadsOptions } from './recent-reads.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';

function setup(options: Partial<Omit<RecentReadsOptions, 'reader' | 'now'>> = {}, orders = 200) {
  const reader = createFakeReader();
  for (let i = 1; i <= orders; i++) reader.add(storedOrder(i, `o${i}`));
  let clock = 1_000_000;
  const reads = createRecentReads({
    reader,
    timeoutMs: 2000,
    ttlMs: 1000,
    now: () => clock,
    ...options,
  });
  return {
    reader,
    reads,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createRecentReads', () => {
  it('answers N concurrent reads with one query (single flight)', async () => {
    const { reader, reads } = setup();
    const release = reader.hold();
    const all = Array.from({ length: 64 }, () => reads.read(20));
    expect(reader.calls.recent).toBe(1);
    release();
    const lists = await Promise.all(all);
    expect(reader.calls.recent).toBe(1);
    expect(new Set(lists).size).toBe(1); // one list, shared
    expect(ids(lists[0] ?? []).slice(0, 3)).toEqual([200, 199, 198]);
    expect(lists[0]).toHaveLength(20);
  });

  it('reuses a list for ttlMs from its query, for every limit it covers, then reads again', async () => {
    const { reader, reads, advance } = setup({ ttlMs: 1000 });
    await reads.read(20);
    advance(999);
    await reads.read(20);
    await reads.read(5); // a smaller limit is a prefix of the cached list
    expect(reader.calls.recent).toBe(1);
    await reads.read(21); // not covered
    expect(reader.calls.recent).toBe(2);
    advance(999);
    expect(await reads.read(21)).toHaveLength(21);
    expect(reader.calls.recent).toBe(2);
    advance(1); // the list of the second query is now 1,000 ms old
    reader.add(storedOrder(201, 'o201'));
    expect(ids(await reads.read(3))).toEqual([201, 200, 199]);
    expect(reader.calls.recent).toBe(3);
  });

  it('a list shorter than asked is the whole table: it answers any limit while fresh', async () => {
    const { reader, reads } = setup({}, 3);
    expect(ids(await reads.read(10))).toEqual([3, 2, 1]);
    expect(ids(await reads.read(100))).toEqual([3, 2, 1]);
    expect(reader.calls.recent).toBe(1);
  });

  it('runs one query at a time: callers it cannot answer share the next, at their largest limit', async () => {
    const { reader, reads } = setup();
    const release = reader.hold();
    const small = reads.read(10);
    const joined = reads.read(10);
    const larger = [reads.read(50), reads.read(80), reads.read(30)];
    expect(reader.calls.recent).toBe(1);
    expect(reads.stats()).toEqual({ running: true, pending: true });
    release();
    expect(await small).toHaveLength(10);
    expect(await joined).toBe(await small);
    const [a, b, c] = await Promise.all(larger);
    expect([a?.length, b?.length, c?.length]).toEqual([80, 80, 80]); // the caller slices
    expect(reader.recentArgs.map((r) => r.limit)).toEqual([10, 80]);
    expect(reads.stats()).toEqual({ running: false, pending: false });
  });

  it('passes its budget and a signal to the reader', async () => {
    const { reader, reads } = setup({ timeoutMs: 1500 });
    await reads.read(20);
    const options = reader.recentArgs[0]?.options;
    expect(options?.timeoutMs).toBe(1500);
    expect(options?.signal.aborted).toBe(false);
  });

  it('a query past the timeout is aborted and its callers fail; its slot is held until the reader answers, and the late answer is dropped', async () => {
    const { reader, reads } = setup({ timeoutMs: 20 });
    const release = reader.hold();
    const started = performance.now();
    const failure = await reads.read(10).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(failure).toBeInstanceOf(ReadFailure);
    expect(failure).toMatchObject({ code: 'timeout' });
    const signal = reader.recentArgs[0]?.options?.signal;
    expect(signal?.aborted).toBe(true);
    // the reader has not let go yet (a reader slow to stop): no second query beside it
    expect(reads.stats().running).toBe(true);
    const next = reads.read(10);
    expect(reader.calls.recent).toBe(1);
    expect(reads.stats().pending).toBe(true);
    reader.add(storedOrder(500, 'newer'));
    release(); // the first answers late: dropped; the waiting one goes out
    expect(ids(await next).slice(0, 2)).toEqual([500, 200]);
    expect(reader.calls.recent).toBe(2);
    expect(reader.recentArgs[1]?.options?.signal.aborted).toBe(false);
  });

  it('a caller waiting behind a hung query gives up at its own timeout, and the query is never sent', async () => {
    const { reader, reads } = setup({ timeoutMs: 20 });
    reader.hold(); // never released: the first query hangs and keeps its slot
    const first = reads.read(10).catch((e: unknown) => e);
    await first;
    const second = await reads.read(50).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'timeout' });
    expect(reads.stats()).toEqual({ running: true, pending: false });
    expect(reader.calls.recent).toBe(1);
  });

  it('when every caller has gone (their signals aborted), the query is cancelled; a pending one is never sent', async () => {
    const { reader, reads } = setup();
    const release = reader.hold();
    const a = new AbortController();
    const b = new AbortController();
    const c = new AbortController();
    const running = [reads.read(10, a.signal), reads.read(10, b.signal)].map((p) =>
      p.catch((e: unknown) => e),
    );
    const pending = reads.read(50, c.signal).catch((e: unknown) => e);
    a.abort(new Error('client a went away'));
    expect(await running[0]).toMatchObject({ message: 'client a went away' });
    expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(false); // b still waits
    c.abort(new Error('client c went away'));
    expect(await pending).toMatchObject({ message: 'client c went away' });
    expect(reads.stats().pending).toBe(false);
    b.abort(new Error('client b went away'));
    expect(await running[1]).toMatchObject({ message: 'client b went away' });
    expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(true);
    release();
    await tick();
    expect(reader.calls.recent).toBe(1); // c's query never went out
    expect(reads.stats()).toEqual({ running: false, pending: false });
    // an aborted query's answer is not cached
    await reads.read(10);
    expect(reader.calls.recent).toBe(2);
  });

  it('an already aborted signal fails at once, without a query', async () => {
    const { reader, reads } = setup();
    const gone = new AbortController();
    gone.abort(new Error('gone'));
    await expect(reads.read(10, gone.signal)).rejects.toThrow('gone');
    expect(reader.calls.recent).toBe(0);
  });

  it('does not cache a failure', async () => {
    const { reader, reads } = setup();
    reader.fail(new Error('down'));
    const release = reader.hold();
    const both = [reads.read(10), reads.read(10)].map((p) => p.catch((e: unknown) => e));
    release();
    for (const failure of await Promise.all(both))
      expect(failure).toMatchObject({ message: 'down' });
    expect(reader.calls.recent).toBe(1);
    reader.fail(undefined);
    expect(await reads.read(10)).toHaveLength(10);
    expect(reader.calls.recent).toBe(2);
  });

  it('a reader that throws instead of rejecting fails the read', async () => {
    const { reader, reads } = setup();
    reader.recent = () => {
      throw new Error('sync');
    };
    await expect(reads.read(10)).rejects.toThrow('sync');
    expect(reads.stats().running).toBe(false);
  });

  it('with ttlMs 0 keeps single flight only', async () => {
    const { reader, reads } = setup({ ttlMs: 0 });
    const release = reader.hold();
    const together = [reads.read(10), reads.read(10)];
    release();
    await Promise.all(together);
    await reads.read(10);
    expect(reader.calls.recent).toBe(2);
  });
});
