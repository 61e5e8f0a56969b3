import type { StoredOrder } from './stored-order.ts';

/**
 * A stored order that is also a node of the store's insertion-order list (a circular doubly linked
 * list around a sentinel). The links live in the entry itself, so each order costs one object, and
 * unlinking on replace/expiry is O(1). They are private (#) so an entry handed to a caller reads as a
 * plain StoredOrder: JSON, spread, Object.keys and vitest's toEqual see only the order's fields.
 *
 * List direction: sentinel → (newer) → oldest → … → newest → (newer) → sentinel.
 */
export class OrderEntry implements StoredOrder {
  readonly id: number;
  readonly uid: string;
  /** Reassigned only by arena compaction, to a copy with the same bytes. */
  body: Buffer;
  readonly etag: string;
  readonly dateCreated: number;
  readonly partition: number | undefined;
  #older: OrderEntry;
  #newer: OrderEntry;

  constructor(
    id: number,
    uid: string,
    body: Buffer,
    etag: string,
    dateCreated: number,
    partition: number | undefined,
  ) {
    this.id = id;
    this.uid = uid;
    this.body = body;
    this.etag = etag;
    this.dateCreated = dateCreated;
    this.partition = partition;
    this.#older = this;
    this.#newer = this;
  }

  /** An empty list: a sentinel entry whose fields are never read. */
  static list(): OrderEntry {
    return new OrderEntry(-1, '', Buffer.alloc(0), '', 0, undefined);
  }

  // The methods below are called on the sentinel (the list) unless said otherwise.

  /** Links `entry` as the newest. */
  append(entry: OrderEntry): void {
    const newest = this.#older;
    entry.#older = newest;
    entry.#newer = this;
    newest.#newer = entry;
    this.#older = entry;
  }

  /** Called on a linked entry: takes it out of its list. */
  unlink(): void {
    this.#older.#newer = this.#newer;
    this.#newer.#older = this.#older;
    this.#older = this;
    this.#newer = this;
  }

  oldest(): OrderEntry | undefined {
    const first = this.#newer;
    return first === this ? undefined : first;
  }

  /** Up to `limit` entries, newest first. */
  newestFirst(limit: number): OrderEntry[] {
    const out: OrderEntry[] = [];
    for (let e = this.#older; e !== this && out.length < limit; e = e.#older) out.push(e);
    return out;
  }

  /** Oldest first; `visit` may unlink the entry it is given (the walk has already stepped past it). */
  forEachOldestFirst(visit: (entry: OrderEntry) => void): void {
    for (let e = this.#newer; e !== this; ) {
      const next = e.#newer;
      visit(e);
      e = next;
    }
  }
}
