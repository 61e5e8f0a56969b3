// One or a few routes on a fresh Hono, mounted as createApp mounts them (mountRoute, the API's error
// and not-found handlers), for the per-route tests next to each route (routes/*.test.ts), as hono's
// own middleware tests build one small app per case; and the lookups' dependencies over memory and
// a fake reader.
import { createOrderStore, type OrderStore, type StoredOrder } from '@orders/store';
import { Hono } from 'hono';
import { expect } from 'vitest';
import {
  type ApiMetrics,
  createApiMetrics,
  type IngestFigures,
  noIngestFigures,
} from '../api-metrics.ts';
import type { ReadThroughTuning } from '../deps.ts';
import { createErrorHandler, notFoundHandler } from '../http-error.ts';
import { createReadThrough, type ReadThrough } from '../read-through.ts';
import { mountRoute, type Route } from '../routes/route.ts';
import { createFakeReader, type FakeReader } from './fake-reader.ts';
import { storedOrder } from './orders.ts';

export type Logged = { message: string; fields?: Record<string, unknown> }[];

/** `routes` on a fresh Hono with the API's error handling; `logged` gets the 5xx causes. */
export function routeApp(...routes: Route[]): { app: Hono; logged: Logged } {
  const logged: Logged = [];
  const app = new Hono();
  app.onError(createErrorHandler({ error: (message, fields) => logged.push({ message, fields }) }));
  app.notFound(notFoundHandler);
  for (const route of routes) mountRoute(app, route);
  return { app, logged };
}

export type Lookups = {
  store: OrderStore;
  reader: FakeReader;
  metrics: ApiMetrics;
  /** what the metrics read as ingest's figures (/stats) */
  figures: IngestFigures;
  readThrough: ReadThrough;
  /** the orders put in memory: ids 1..n, uids `order-<i>`, customer_id `customer-<i>` */
  stored: StoredOrder[];
};

/**
 * A store holding `inMemory` orders (default none), a fake reader (nothing in "PostgreSQL"), the
 * API's metrics, and the read-through over them, as createApp builds it.
 */
export function lookups(
  opts: { inMemory?: number; store?: OrderStore; readThrough?: ReadThroughTuning } = {},
): Lookups {
  const store =
    opts.store ?? createOrderStore({ maxOrders: 1000, maxBytes: Infinity, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const figures = noIngestFigures();
  const metrics = createApiMetrics({ ingest: () => figures });
  const readThrough = createReadThrough({ store, reader, metrics, ...opts.readThrough });
  const stored: StoredOrder[] = [];
  for (let i = 1; i <= (opts.inMemory ?? 0); i++) {
    const order = storedOrder(i, `order-${i}`, { customer_id: `customer-${i}` });
    store.put(order);
    stored.push(order);
  }
  return { store, reader, metrics, figures, readThrough, stored };
}

/** The API's error answer: status, JSON content type, `{ error: { code, message } }`, no stack. */
export async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/\n\s+at /); // never a stack trace
  return body.error;
}
