import { createBodyArena, DEFAULT_CHUNK_BYTES } from './body-arena.ts';
import { flatString } from './flat-string.ts';
import { OrderEntry } from './order-entry.ts';
import type { StoredOrder } from './stored-order.ts';

/** `recent(limit)` never returns more than this many orders. */
export const RECENT_MAX = 100;

export type OrderStoreOptions = {
  /** At most this many orders (integer ≥ 0, or Infinity). */
  maxOrders: number;
  /** At most this many body bytes in total (≥ 0, or Infinity). Object overhead is not counted. */
  maxBytes: number;
  /** `removeExpired` drops orders whose dateCreated is older than now − maxAgeMs (≥ 0, or Infinity). */
  maxAgeMs: number;
  /** Clock for `removeExpired()` without an argument; defaults to Date.now. */
  now?: () => number;
  /** Tuning: size of the buffers small bodies are packed into (default 256 KiB). */
  chunkBytes?: number;
};

export type OrderStoreStats = {
  count: number;
  /** Sum of the stored bodies' lengths. */
  bytes: number;
  /** Cumulative counters since the store was created. */
  evictedByCount: number;
  evictedByBytes: number;
  expired: number;
  /** Entries dropped because a put carried the same uid (or, defensively, the same id). */
  replaced: number;
  /** Puts not stored because the body alone is larger than maxBytes. */
  tooLarge: number;
  /** Entries dropped on request: `remove` and `retainPartitions`. */
  removed: number;
  /**
   * Bytes of the buffers holding the bodies (whole chunks, including dead and unused space). About
   * `bytes` under oldest-first eviction; never more than 2 × bytes + 4 × chunkBytes.
   */
  heldBytes: number;
  /** Times the store copied survivors out of mostly-dead chunks. */
  compactions: number;
};

export type OrderStore = {
  /**
   * Inserts or replaces (last write wins; the put becomes the newest), then evicts the oldest while
   * over maxOrders or maxBytes. Any entry with the same uid or the same id is dropped first, so a
   * put that is not stored never leaves an older version to be served. Returns whether it is stored.
   * The store keeps a copy of `body` (see body-arena.ts), except a large body (> chunkBytes / 8)
   * that owns its whole ArrayBuffer, which it keeps as is: do not modify a body after put.
   */
  put(order: StoredOrder): boolean;
  getByUid(uid: string): StoredOrder | undefined;
  getById(id: number): StoredOrder | undefined;
  /** Newest (last put) first, at most min(limit, RECENT_MAX). */
  recent(limit: number): StoredOrder[];
  /** Drops orders with dateCreated < now − maxAgeMs; returns how many. One O(n) sweep. */
  removeExpired(now?: number): number;
  /** Drops the entry with this uid; returns whether there was one. O(1). */
  remove(uid: string): boolean;
  /**
   * Drops every entry whose `partition` is set and not among `partitions` (entries put without a
   * partition stay); returns how many. One O(n) sweep.
   */
  retainPartitions(partitions: Iterable<number>): number;
  stats(): OrderStoreStats;
};

/**
 * The in-memory order cache: O(1) lookup by uid and by id, bounded by count and bytes with
 * oldest-first eviction, and an age sweep. Pure and synchronous: no I/O and no timers — the app
 * that owns it schedules `removeExpired`. Throws RangeError on invalid options (a programming error;
 * @orders/config validates the environment).
 */
export function createOrderStore(options: OrderStoreOptions): OrderStore {
  const { maxOrders, maxBytes, maxAgeMs, chunkBytes } = checkOptions(options);
  const clock = options.now ?? Date.now;
  const arena = createBodyArena(chunkBytes);

  const byUid = new Map<string, OrderEntry>();
  const byId = new Map<number, OrderEntry>();
  const list = OrderEntry.list();
  let bytes = 0;
  let evictedByCount = 0;
  let evictedByBytes = 0;
  let expired = 0;
  let replaced = 0;
  let tooLarge = 0;
  let removed = 0;
  let compactions = 0;

  // Invariant: an entry is linked in `list` iff byUid maps its uid to it iff byId maps its id to it.
  function drop(entry: OrderEntry): void {
    entry.unlink();
    byUid.delete(entry.uid);
    byId.delete(entry.id);
    bytes -= entry.body.byteLength;
    arena.release(entry.body);
  }

  // O(n) walk plus copying the survivors, but only once dead bytes outweigh live ones, so amortized
  // O(1) per byte stored. Never happens under plain oldest-first eviction.
  function compactIfNeeded(): void {
    if (!arena.needsCompaction()) return;
    compactions++;
    list.forEachOldestFirst((entry) => {
      if (!arena.inSparseChunk(entry.body)) return;
      const moved = arena.copy(entry.body);
      arena.release(entry.body);
      entry.body = moved;
    });
  }

  function dropOldest(): void {
    const oldest = list.oldest();
    if (oldest !== undefined) drop(oldest);
  }

  return {
    put(order) {
      const sameUid = byUid.get(order.uid);
      if (sameUid !== undefined) {
        drop(sameUid);
        replaced++;
      }
      const sameId = byId.get(order.id);
      if (sameId !== undefined) {
        drop(sameId);
        replaced++;
      }
      if (order.body.byteLength > maxBytes) {
        tooLarge++;
        return false;
      }
      const entry = new OrderEntry(
        order.id,
        order.uid,
        arena.copy(order.body),
        flatString(order.etag),
        order.dateCreated,
        order.partition,
      );
      list.append(entry);
      byUid.set(entry.uid, entry);
      byId.set(entry.id, entry);
      bytes += entry.body.byteLength;
      while (byUid.size > maxOrders) {
        dropOldest();
        evictedByCount++;
      }
      // Terminates before reaching `entry`: its body alone fits in maxBytes.
      while (bytes > maxBytes) {
        dropOldest();
        evictedByBytes++;
      }
      compactIfNeeded();
      return byUid.get(entry.uid) === entry;
    },

    getByUid: (uid) => byUid.get(uid),
    getById: (id) => byId.get(id),

    recent(limit) {
      const n = Math.min(Math.max(Math.floor(limit) || 0, 0), RECENT_MAX);
      return list.newestFirst(n);
    },

    removeExpired(now = clock()) {
      const cutoff = now - maxAgeMs;
      // NaN (bad clock, Infinity − Infinity) or −Infinity (maxAgeMs Infinity): nothing is older.
      if (!(cutoff > Number.NEGATIVE_INFINITY)) return 0;
      let count = 0;
      // A NaN dateCreated compares false and never expires by age; the limits still bound it.
      list.forEachOldestFirst((entry) => {
        if (entry.dateCreated < cutoff) {
          drop(entry);
          count++;
        }
      });
      expired += count;
      compactIfNeeded();
      return count;
    },

    remove(uid) {
      const entry = byUid.get(uid);
      if (entry === undefined) return false;
      drop(entry);
      removed++;
      compactIfNeeded();
      return true;
    },

    retainPartitions(partitions) {
      const keep = new Set(partitions);
      let count = 0;
      list.forEachOldestFirst((entry) => {
        if (entry.partition !== undefined && !keep.has(entry.partition)) {
          drop(entry);
          count++;
        }
      });
      removed += count;
      compactIfNeeded();
      return count;
    },

    stats: () => ({
      count: byUid.size,
      bytes,
      evictedByCount,
      evictedByBytes,
      expired,
      replaced,
      tooLarge,
      removed,
      heldBytes: arena.heldBytes(),
      compactions,
    }),
  };
}

function checkOptions(options: OrderStoreOptions): Required<Omit<OrderStoreOptions, 'now'>> {
  const { maxOrders, maxBytes, maxAgeMs } = options;
  const bad: string[] = [];
  if (!(maxOrders >= 0 && (Number.isInteger(maxOrders) || maxOrders === Number.POSITIVE_INFINITY)))
    bad.push(`maxOrders must be an integer >= 0 or Infinity, got ${maxOrders}`);
  if (!(maxBytes >= 0)) bad.push(`maxBytes must be >= 0, got ${maxBytes}`);
  if (!(maxAgeMs >= 0)) bad.push(`maxAgeMs must be >= 0, got ${maxAgeMs}`);
  const { chunkBytes = DEFAULT_CHUNK_BYTES } = options;
  if (!(Number.isInteger(chunkBytes) && chunkBytes >= 8))
    bad.push(`chunkBytes must be an integer >= 8, got ${chunkBytes}`);
  if (bad.length > 0) throw new RangeError(`createOrderStore: ${bad.join('; ')}`);
  return { maxOrders, maxBytes, maxAgeMs, chunkBytes };
}
