import type { StoredOrder } from '@orders/store';
import type { OrderReader } from '../deps.ts';

/**
 * An in-memory OrderReader standing in for PostgreSQL in unit tests: counts calls, can hold
 * queries open (to test single flight) and fail them (to test 503).
 */
export type FakeReader = OrderReader & {
  calls: { getByUid: number; getById: number; recent: number };
  add(order: StoredOrder): void;
  /** Queries wait until the returned function is called. */
  hold(): () => void;
  /** Queries reject with this error until `fail(undefined)`. */
  fail(error: Error | undefined): void;
};

export function createFakeReader(orders: StoredOrder[] = []): FakeReader {
  const byUid = new Map<string, StoredOrder>();
  const byId = new Map<number, StoredOrder>();
  const calls = { getByUid: 0, getById: 0, recent: 0 };
  let gate: Promise<void> | undefined;
  let failure: Error | undefined;

  const add = (order: StoredOrder) => {
    byUid.set(order.uid, order);
    byId.set(order.id, order);
  };
  for (const order of orders) add(order);

  const answer = async <T>(value: () => T): Promise<T> => {
    if (gate) await gate;
    if (failure) throw failure;
    return value();
  };

  return {
    calls,
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
    getByUid(uid) {
      calls.getByUid++;
      return answer(() => byUid.get(uid));
    },
    getById(id) {
      calls.getById++;
      return answer(() => byId.get(id));
    },
    recent(limit) {
      calls.recent++;
      return answer(() => [...byId.values()].sort((a, b) => b.id - a.id).slice(0, limit));
    },
  };
}
