import type { OrderSearch, OrderSearchQuery } from '../deps.ts';
import type { OrderSummary } from '../order-summary.ts';

/** An in-memory OrderSearch: the orders given, matched and paged as ingest's SQL does. */
export type FakeSearch = OrderSearch & {
  /** the queries received, in call order */
  queries: OrderSearchQuery[];
  /** searches reject with this error until `fail(undefined)` */
  fail(error: Error | undefined): void;
};

const micros = (o: OrderSummary) => BigInt(Date.parse(o.date_created ?? '')) * 1000n;

export function createFakeSearch(orders: OrderSummary[]): FakeSearch {
  const queries: OrderSearchQuery[] = [];
  let failure: Error | undefined;
  // newest first by (date_created, id)
  const sorted = [...orders].sort((a, b) => {
    const d = micros(b) - micros(a);
    return d !== 0n ? (d > 0n ? 1 : -1) : b.id - a.id;
  });
  const search: OrderSearch = async (query) => {
    queries.push(query);
    if (failure) throw failure;
    const from = query.from === undefined ? undefined : BigInt(Date.parse(query.from)) * 1000n;
    const to = query.to === undefined ? undefined : BigInt(Date.parse(query.to)) * 1000n;
    const after = query.after;
    const hits = sorted.filter((o) => {
      const at = micros(o);
      if (query.trackNumber !== undefined && o.track_number !== query.trackNumber) return false;
      if (query.customerId !== undefined && o.customer_id !== query.customerId) return false;
      if (from !== undefined && at < from) return false;
      if (to !== undefined && at >= to) return false;
      if (
        after &&
        !(at < after.dateCreatedMicros || (at === after.dateCreatedMicros && o.id < after.id))
      )
        return false;
      return true;
    });
    const page = hits.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      orders: page,
      next:
        hits.length > query.limit && last ? { dateCreatedMicros: micros(last), id: last.id } : null,
    };
  };
  return Object.assign(search, {
    queries,
    fail(error: Error | undefined) {
      failure = error;
    },
  });
}
