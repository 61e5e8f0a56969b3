import type { StoredOrder } from '@orders/store';

/**
 * One row of the page's list of newest orders. PostgreSQL's reader computes the same fields in SQL
 * from the `data` column (apps/ingest/src/orders-repo.ts, `RECENT_SQL`), by the same rules as
 * `fromBody` below; apps/ingest/test/read-through.int.test.ts checks the two agree.
 */
export type OrderSummary = {
  id: number;
  order_uid: string;
  track_number: string | null;
  date_created: string | null;
  customer_id: string | null;
  amount: number | null;
  currency: string | null;
  /** Number of items. */
  items: number;
};

// Stored orders are immutable (a new version is a new object), so a summary is computed once per
// object; the WeakMap lets evicted orders take their summaries with them.
const cache = new WeakMap<StoredOrder, OrderSummary>();

export function summarize(order: StoredOrder): OrderSummary {
  let summary = cache.get(order);
  if (summary === undefined) {
    summary = fromBody(order);
    cache.set(order, summary);
  }
  return summary;
}

function fromBody(order: StoredOrder): OrderSummary {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(order.body.toString('utf8'));
    if (isObject(parsed)) data = parsed;
  } catch {
    // The body is canonical JSON written by ingest; if it ever is not, list the ids alone.
  }
  const payment = isObject(data.payment) ? data.payment : {};
  return {
    id: order.id,
    order_uid: order.uid,
    track_number: text(data.track_number),
    date_created: text(data.date_created),
    customer_id: text(data.customer_id),
    amount: typeof payment.amount === 'number' ? payment.amount : null,
    currency: text(payment.currency),
    items: Array.isArray(data.items) ? data.items.length : 0,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
