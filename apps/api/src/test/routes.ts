// The request paths that reach every route of the app, read from hono's `app.routes` (not a
// hand-kept list): the every-method, large-body and nosniff tests (app.test.ts) and the fault
// suite's HTTP abuse (through `@orders/api/testing`) probe each route a route added later gets.
import { createOrderStore } from '@orders/store';
import type { Hono } from 'hono';
import { createApiMetrics } from '../api-metrics.ts';
import { createApp } from '../app.ts';
import { createFakeReader } from './fake-reader.ts';

/** Request paths standing for route patterns, by pattern (`/orders/:order_uid` → paths). */
export type RouteExamples = Readonly<Record<string, readonly string[]>>;

/**
 * The paths to request for the app's routes: a pattern's examples, or the pattern itself when it
 * has no parameter. A pattern with a parameter and no example is an error, so a new route with a
 * parameter cannot go unprobed; an example for a pattern the app lacks is one too (a stale one).
 */
export function routePaths(app: Hono, examples: RouteExamples): string[] {
  const patterns = [...new Set(app.routes.map((route) => route.path))];
  const stale = Object.keys(examples).filter((pattern) => !patterns.includes(pattern));
  if (stale.length > 0) throw new Error(`examples for routes the app lacks: ${stale.join(', ')}`);
  return patterns.flatMap((pattern) => {
    const given = examples[pattern];
    if (given !== undefined) return [...given];
    if (/[:*]/.test(pattern)) throw new Error(`route ${pattern} has a parameter: give an example`);
    return [pattern];
  });
}

/**
 * Examples for the API's parameter routes and its query route: an order by uid, the newest
 * orders (dispatched by the `/orders/:order_uid` handler), by `?id=` and `?uid=`, and the page's
 * files.
 */
export function apiRouteExamples(keys: { uid: string; id: string }): RouteExamples {
  return {
    '/orders/:order_uid': [`/orders/${keys.uid}`, '/orders/recent?limit=2'],
    '/orders': [`/orders?id=${keys.id}`, `/orders?uid=${keys.uid}`],
    '/assets/:name': ['/assets/app.js', '/assets/styles.css', '/assets/favicon.svg'],
  };
}

/** A path to every route of the API as ingest serves it (the page included), for `keys`. */
export function apiRoutePaths(keys: { uid: string; id: string }): string[] {
  const app = createApp({
    store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: 0 }),
    reader: createFakeReader(),
    readiness: () => ({ ready: true, reasons: [] }),
    metrics: createApiMetrics(),
    getOrderById: true,
  });
  return routePaths(app, apiRouteExamples(keys));
}
