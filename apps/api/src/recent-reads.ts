import { ReadFailure } from './batch-reads.ts';
import type { OrderReader } from './deps.ts';
import type { OrderSummary } from './order-summary.ts';

// The newest orders' summaries from PostgreSQL, for `/orders/recent` when memory holds fewer
// orders than asked (always with MEMORY_ORDERS_LIMIT=0). Every request used to be its own query:
// 64 clients kept ~64 queries queued on the pool ingest's writers use, each reading full bodies.
//
// - One query at a time (`running`), holding its slot until the reader settles: at most one pool
//   connection, whatever the clients do. Requests it cannot answer (a larger `limit`) share the
//   one query that goes next (`pending`, at the largest limit asked), so at most two lists exist
//   besides the cached one.
// - Single flight: a request joins the running query when its limit is covered, else `pending`.
// - A short cache: a list is reused for `ttlMs` counted from its query's start, for any limit it
//   covers (a smaller one, or any when PostgreSQL had fewer rows than asked).
// - Timeouts cancel: a caller waits at most `timeoutMs`; a query is aborted `timeoutMs` after it
//   starts or as soon as no caller waits for it. The reader gets the budget and the signal (the
//   ingest reader sends nothing once aborted, and PostgreSQL ends a running query at the deadline
//   through a statement_timeout); a `pending` query whose callers all left is never sent. A late
//   answer is dropped, not cached.

export type RecentReadsOptions = {
  reader: Pick<OrderReader, 'recent'>;
  /** A caller waits at most this (ms); a query running this long is cancelled. 0 = no timeout. */
  timeoutMs: number;
  /** How long a list is reused, from its query's start (ms); 0 = single flight only. */
  ttlMs: number;
  now: () => number;
};

export type RecentReads = {
  /**
   * At most `limit` summaries, newest first (fewer when PostgreSQL holds fewer; possibly more, the
   * caller slices). Rejects when the reader fails, after `timeoutMs`, or when `signal` aborts.
   */
  read(limit: number, signal?: AbortSignal): Promise<OrderSummary[]>;
  /** For tests: is a query running (its slot held), is one waiting to go next. */
  stats(): { running: boolean; pending: boolean };
};

type Flight = {
  /** Rows asked; a pending flight's grows with the callers that join it. */
  limit: number;
  promise: Promise<OrderSummary[]>;
  resolve: (rows: OrderSummary[]) => void;
  reject: (error: unknown) => void;
  /** Callers still waiting for it. */
  waiters: number;
  controller: AbortController;
  started: boolean;
  startedAt: number;
  /** Answered or failed (its callers have been told); the slot may still be held. */
  done: boolean;
};

type Cached = { limit: number; rows: OrderSummary[]; at: number };

/** Does a list read with `entry.limit` answer `limit`? Fewer rows than asked is the whole table. */
function covers(entry: { limit: number; rows: OrderSummary[] }, limit: number): boolean {
  return limit <= entry.limit || entry.rows.length < entry.limit;
}

export function createRecentReads(options: RecentReadsOptions): RecentReads {
  const { reader, now } = options;
  const timeoutMs =
    options.timeoutMs > 0 && Number.isFinite(options.timeoutMs) ? options.timeoutMs : 0;
  const ttlMs = Math.max(options.ttlMs, 0);
  let cached: Cached | undefined;
  let running: Flight | undefined;
  let pending: Flight | undefined;

  const fresh = (limit: number): Cached | undefined =>
    cached !== undefined && now() - cached.at < ttlMs && covers(cached, limit) ? cached : undefined;

  function flight(limit: number): Flight {
    let resolve: (rows: OrderSummary[]) => void = () => {};
    let reject: (error: unknown) => void = () => {};
    const promise = new Promise<OrderSummary[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // callers see it through `wait`; when none is left, nobody does
    return {
      limit,
      promise,
      resolve,
      reject,
      waiters: 0,
      controller: new AbortController(),
      started: false,
      startedAt: 0,
      done: false,
    };
  }

  function fail(f: Flight, error: unknown): void {
    if (f.done) return;
    f.done = true;
    f.reject(error);
  }

  function start(f: Flight): void {
    if (pending === f) pending = undefined;
    // the query that just ended may answer it (it found fewer rows than this one asks)
    const hit = fresh(f.limit);
    if (hit) {
      f.done = true;
      f.resolve(hit.rows);
      return;
    }
    running = f;
    f.started = true;
    f.startedAt = now();
    const { signal } = f.controller;
    signal.addEventListener('abort', () => fail(f, signal.reason), { once: true });
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            f.controller.abort(
              new ReadFailure('timeout', `no list from storage within ${timeoutMs} ms`),
            );
          }, timeoutMs)
        : undefined;
    let answer: Promise<OrderSummary[]>;
    try {
      answer = reader.recent(f.limit, { timeoutMs: timeoutMs || Infinity, signal });
    } catch (error) {
      answer = Promise.reject(error); // a reader that throws instead of rejecting
    }
    answer
      .then(
        (rows) => {
          if (f.done) return; // too late: its callers were told it failed, and nobody cached it
          if (cached === undefined || cached.at <= f.startedAt) {
            cached = { limit: f.limit, rows, at: f.startedAt };
          }
          f.done = true;
          f.resolve(rows);
        },
        (error: unknown) => fail(f, error),
      )
      .finally(() => {
        clearTimeout(timer);
        running = undefined;
        if (pending) start(pending);
      });
  }

  /** A caller stops waiting for `f`; the last one out cancels it. */
  function leave(f: Flight): void {
    f.waiters--;
    if (f.waiters > 0 || f.done) return;
    if (f.started) {
      f.controller.abort(new ReadFailure('timeout', 'every caller gave up'));
    } else {
      if (pending === f) pending = undefined;
      fail(f, new ReadFailure('timeout', 'every caller gave up'));
    }
  }

  function wait(f: Flight, signal: AbortSignal | undefined): Promise<OrderSummary[]> {
    f.waiters++;
    return new Promise<OrderSummary[]>((resolve, reject) => {
      let out = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exit = (): boolean => {
        if (out) return false;
        out = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        leave(f);
        return true;
      };
      const onAbort = () => {
        if (exit()) reject(signal?.reason);
      };
      // a caller of a pending query also waits for the running one: its own clock, not the query's
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          if (exit())
            reject(new ReadFailure('timeout', `no list from storage within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        (rows) => {
          if (exit()) resolve(rows);
        },
        (error: unknown) => {
          if (exit()) reject(error);
        },
      );
    });
  }

  return {
    read(limit, signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const hit = fresh(limit);
      if (hit) return Promise.resolve(hit.rows);
      let f: Flight;
      if (running !== undefined && !running.done && running.limit >= limit) {
        f = running;
      } else if (pending !== undefined) {
        f = pending;
        if (limit > f.limit) f.limit = limit;
      } else {
        f = flight(limit);
        if (running === undefined) start(f);
        else pending = f;
      }
      return wait(f, signal);
    },
    stats: () => ({ running: running !== undefined, pending: pending !== undefined }),
  };
}
