import { encodeOrder, type Order, validateOrder } from '@orders/model';
import { createOrderStore } from '@orders/store';
import type { Hono } from 'hono';
import { createApiMetrics, noIngestFigures } from '../../api-metrics.ts';
import { createApp } from '../../app.ts';
import { createFakeReader } from '../../test/fake-reader.ts';

export type PageTestApp = {
  app: Hono;
  /** Stores an order as ingest would (memory, "PostgreSQL", counters); returns its numeric id. */
  ingest(order: Order): number;
  deadLetter(): void;
  /** 5xx causes the API logged (the page tests expect none). */
  logged: string[];
};

/**
 * The real API app (createApp, page included) over an in-memory store and the fake reader in
 * place of PostgreSQL, so the browser talks to the same routes, errors and /stats as in production.
 */
export function createPageTestApp(options: { getOrderById?: boolean } = {}): PageTestApp {
  const store = createOrderStore({ maxOrders: 1000, maxBytes: 1e8, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const figures = noIngestFigures();
  const metrics = createApiMetrics({ ingest: () => figures });
  const logged: string[] = [];
  const app = createApp({
    store,
    reader,
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
      figures.ingested++;
      return stored.id;
    },
    deadLetter() {
      figures.deadLettered++;
    },
  };
}
