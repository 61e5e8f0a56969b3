import { encodeOrder, type Order, validateOrder } from '@orders/model';
import { createOrderStore } from '@orders/store';
import type { Hono } from 'hono';
import { createApiMetrics, noIngestFigures } from '../../api-metrics.ts';
import { createApp } from '../../app.ts';
import type { OrderSummary } from '../../order-summary.ts';
import { summarize } from '../../order-summary.ts';
import { createFakeReader } from '../../test/fake-reader.ts';
import { createFakeSearch } from '../../test/fake-search.ts';

export type PageTestApp = {
  app: Hono;
  /** Stores an order as ingest would (memory, "PostgreSQL", counters); returns its numeric id. */
  ingest(order: Order): number;
  deadLetter(): void;
  /** 5xx causes the API logged (the page tests expect none). */
  logged: string[];
};

/**
 * The real API app (createApp, page included) over an in-memory store, the fake reader and the
 * fake search (matched and paged as ingest's SQL) in place of PostgreSQL, so the browser talks to
 * the same routes, errors, cursors and /stats as in production. Search covers every order ingested.
 */
export function createPageTestApp(options: { getOrderById?: boolean } = {}): PageTestApp {
  const store = createOrderStore({ maxOrders: 1000, maxBytes: 1e8, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const figures = noIngestFigures();
  const metrics = createApiMetrics({ ingest: () => figures });
  const logged: string[] = [];
  // by uid: a newer version of an order replaces the older, as ingest's upsert does
  const summaries = new Map<string, OrderSummary>();
  const app = createApp({
    store,
    reader,
    search: (query, options) => createFakeSearch([...summaries.values()])(query, options),
    metrics,
    readiness: () => ({ ready: true, reasons: [] }),
    getOrderById: options.getOrderById ?? true,
    logger: { error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) },
  });
  let nextId = 1;

  return {
    app,
    logged,
    ingest(order) {
      // Only orders ingest would accept: the markup case must be one that passes validation.
      const checked = validateOrder(order);
      if (!checked.ok) throw new Error(`test order invalid: ${JSON.stringify(checked.problems)}`);
      const { body, etag } = encodeOrder(checked.order);
      const stored = {
        id: nextId++,
        uid: order.order_uid,
        body,
        etag,
        dateCreated: Date.parse(order.date_created),
      };
      store.put(stored);
      reader.add(stored);
      summaries.set(stored.uid, summarize(stored));
      figures.ingested++;
      return stored.id;
    },
    deadLetter() {
      figures.deadLettered++;
    },
  };
}
