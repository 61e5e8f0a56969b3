import type { StoredOrder } from '@orders/store';
import type { OrderReader, RecentReadOptions } from '../deps.ts';
import { summarize } from '../order-summary.ts';

/**
 * An in-memory OrderReader standing in for PostgreSQL in unit tests: counts calls, can hold
 * queries open (to test single flight) and fail them (to test 503).
 */
export type FakeReader = OrderReader & {
  /** Queries made (one per batch). */
  calls: { getByUids: number; getByIds: number; recent: number };
  /** The keys of each query, in call order. */
  batches: { uids: string[][]; ids: number[][] };
  /** The arguments of each `recent` query, in call order (its signal shows whether it was aborted). */
  recentArgs: { limit: number; options: RecentReadOptions | undefined }[];
  add(order: StoredOrder): void;
  /** Queries wait until the returned function is called. */
  hold(): () => void;
  /** Queries reject with this error until `fail(undefined)`. */
  fail(error: Error | undefined): void;
};

export function createFakeReader(orders: StoredOrder[] = []): FakeReader {
  const byUid = new Map<string, StoredOrder>();
  const byId = new Map<number, StoredOrder>();
  const calls = { getByUids: 0, getByIds: 0, recent: 0 };
  const batches = { uids: [] as string[][], ids: [] as number[][] };
  const recentArgs: FakeReader['recentArgs'] = [];
  let gate: Promise<void> | undefined;
  let failure: Error | undefined;

  const add = (order: StoredOrder) => {
    byUid.set(order.uid, order);
    byId.set(order.id, order);
  };
  for (const order of orders) add(order);

  // like PostgreSQL: no particular order
  const found = (orders: (StoredOrder | undefined)[]) =>
    orders.filter((o): o is StoredOrder => o !== undefined).reverse();
  const answer = async <T>(value: () => T): Promise<T> => {
    if (gate) await gate;
    if (failure) throw failure;
    return value();
  };

  return {
    calls,
    batches,
    recentArgs,
    add,
    hold() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
    fail(error) {
      failure = error;
    },
    getByUids(uids) {
      calls.getByUids++;
      batches.uids.push([...uids]);
      return answer(() => found(uids.map((uid) => byUid.get(uid))));
    },
    getByIds(ids) {
      calls.getByIds++;
      batches.ids.push([...ids]);
      return answer(() => found(ids.map((id) => byId.get(id))));
    },
    // like the real reader, summaries only; held queries stay held when aborted (a reader that
    // is slow to stop), so tests see the slot kept until it answers
    recent(limit, options) {
      calls.recent++;
      recentArgs.push({ limit, options });
      return answer(() =>
        [...byId.values()]
          .sort((a, b) => b.id - a.id)
          .slice(0, limit)
          .map(summarize),
      );
    },
  };
}
