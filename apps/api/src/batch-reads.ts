import type { StoredOrder } from '@orders/store';

// Reads of orders memory does not hold, batched: keys that miss while the query slots are busy
// wait in a queue and go out together in the next query (`WHERE order_uid = ANY($1)`), so a crowd
// of misses costs a few queries instead of one connection each. Nothing waits on a timer: when a
// slot is free a key goes out at once (alone, at light load), and batches grow only while
// PostgreSQL is busy, by exactly what arrived meanwhile.

/** Why a read failed without an answer from the reader. */
export type ReadFailureCode = 'shed' | 'timeout';

export class ReadFailure extends Error {
  override readonly name = 'ReadFailure';
  readonly code: ReadFailureCode;

  constructor(code: ReadFailureCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type BatchReadsOptions = {
  /** Queries running at once (the pool connections reads may hold). */
  maxQueries: number;
  /** Most keys in one query. */
  maxBatchKeys: number;
  /** Most keys waiting for a query; a read beyond it fails at once with `shed`. */
  maxQueuedKeys: number;
  /** A read not answered within this, from the call (waiting plus query), fails with `timeout`. */
  timeoutMs: number;
  /** Told the number of keys of each query as it starts (metrics). */
  onQuery?: (keys: number) => void;
};

/** One kind of key: `load` answers many keys in one query, `keyOf` finds each answer's key. */
export type ReadLane<K> = (key: K) => Promise<StoredOrder | undefined>;

export type BatchReads = {
  lane<K>(
    load: (keys: K[]) => Promise<StoredOrder[]>,
    keyOf: (order: StoredOrder) => K,
  ): ReadLane<K>;
  /** Keys waiting for a slot, and queries running. */
  stats(): { queued: number; running: number };
};

type Waiter = {
  key: unknown;
  resolve: (order: StoredOrder | undefined) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
};

type Lane = {
  load: (keys: unknown[]) => Promise<StoredOrder[]>;
  keyOf: (order: StoredOrder) => unknown;
  /** FIFO; a Set so a key that times out while waiting leaves in O(1). */
  queue: Set<Waiter>;
};

/**
 * Callers must not ask for a key that is already being read (the read-through's single flight
 * ensures it), so the keys of one query are distinct.
 */
export function createBatchReads(options: BatchReadsOptions): BatchReads {
  const { maxQueries, maxBatchKeys, maxQueuedKeys, onQuery } = options;
  const timeoutMs =
    options.timeoutMs > 0 && Number.isFinite(options.timeoutMs) ? options.timeoutMs : 0;
  const lanes: Lane[] = [];
  let queued = 0;
  let running = 0;
  let nextLane = 0;

  function settle(waiter: Waiter, order: StoredOrder | undefined): void {
    if (waiter.done) return;
    waiter.done = true;
    clearTimeout(waiter.timer);
    waiter.resolve(order);
  }

  function fail(waiter: Waiter, error: unknown): void {
    if (waiter.done) return;
    waiter.done = true;
    clearTimeout(waiter.timer);
    waiter.reject(error);
  }

  /** Start queries while slots are free, taking lanes in turn so one kind cannot starve another. */
  function pump(): void {
    while (running < maxQueries && queued > 0) {
      let lane: Lane | undefined;
      for (let i = 0; i < lanes.length; i++) {
        const candidate = lanes[(nextLane + i) % lanes.length] as Lane;
        if (candidate.queue.size > 0) {
          lane = candidate;
          nextLane = (nextLane + i + 1) % lanes.length;
          break;
        }
      }
      if (lane === undefined) return;
      const batch: Waiter[] = [];
      for (const waiter of lane.queue) {
        lane.queue.delete(waiter);
        batch.push(waiter);
        if (batch.length >= maxBatchKeys) break;
      }
      queued -= batch.length;
      run(lane, batch);
    }
  }

  function run(lane: Lane, batch: Waiter[]): void {
    running++;
    let released = false;
    let slotTimer: ReturnType<typeof setTimeout> | undefined;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(slotTimer);
      running--;
      pump();
    };
    // A query still running after the timeout has failed all its keys: its slot is given back so
    // reads resume as soon as PostgreSQL does (the driver's own query timeout ends the query).
    if (timeoutMs > 0) slotTimer = setTimeout(release, timeoutMs);
    onQuery?.(batch.length);
    let pending: Promise<StoredOrder[]>;
    try {
      pending = lane.load(batch.map((w) => w.key));
    } catch (error) {
      pending = Promise.reject(error); // a reader that throws instead of rejecting
    }
    pending.then(
      (orders) => {
        const found = new Map<unknown, StoredOrder>();
        for (const order of orders) found.set(lane.keyOf(order), order);
        for (const waiter of batch) settle(waiter, found.get(waiter.key));
        release();
      },
      (error: unknown) => {
        for (const waiter of batch) fail(waiter, error);
        release();
      },
    );
  }

  return {
    lane<K>(load: (keys: K[]) => Promise<StoredOrder[]>, keyOf: (order: StoredOrder) => K) {
      const lane: Lane = {
        load: load as (keys: unknown[]) => Promise<StoredOrder[]>,
        keyOf,
        queue: new Set(),
      };
      lanes.push(lane);
      const expire = (waiter: Waiter) => {
        if (lane.queue.delete(waiter)) queued--;
        fail(waiter, new ReadFailure('timeout', `no answer from storage within ${timeoutMs} ms`));
      };
      return (key: K) => {
        if (queued >= maxQueuedKeys) {
          return Promise.reject(new ReadFailure('shed', `${queued} keys already wait for storage`));
        }
        return new Promise<StoredOrder | undefined>((resolve, reject) => {
          const waiter: Waiter = { key, resolve, reject, timer: undefined, done: false };
          if (timeoutMs > 0) waiter.timer = setTimeout(expire, timeoutMs, waiter);
          lane.queue.add(waiter);
          queued++;
          pump();
        });
      };
    },
    stats: () => ({ queued, running }),
  };
}
