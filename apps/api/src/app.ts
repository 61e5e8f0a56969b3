import { Hono } from 'hono';
import type { Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { createAdminRoutes } from './admin/index.ts';
import type { ApiDeps } from './deps.ts';
import { type ApiLogger, createErrorHandler, notFoundHandler } from './http-error.ts';
import { createHttpMetrics } from './http-metrics.ts';
import { createPageRoutes } from './page/index.ts';
import { createReadThrough } from './read-through.ts';
import { traceRequests } from './request-tracing.ts';
import { docsRoute } from './routes/docs.ts';
import { healthzRoute, readyzRoute } from './routes/health.ts';
import { metricsRoute } from './routes/metrics.ts';
import { openApiRoute } from './routes/openapi.ts';
import { orderByUidRoute } from './routes/order-by-uid.ts';
import { ordersQueryRoute } from './routes/orders-query.ts';
import { ordersRecentRoute } from './routes/orders-recent.ts';
import { ordersSearchRoute } from './routes/orders-search.ts';
import { mountRoute, setRouteLabel } from './routes/route.ts';
import { statsRoute } from './routes/stats.ts';
import { createStatsSource } from './stats.ts';

export type CreateAppOptions = {
  /** Mount the web page at `/` (default true). */
  page?: boolean;
  /** Hono router (default RegExpRouter); an option so bench/http.bench.ts can compare them. */
  // biome-ignore lint/suspicious/noExplicitAny: hono's handler/route tuple types are internal
  router?: () => Router<any>;
};

/**
 * The HTTP API as a Hono app. Pure wiring: no I/O happens here or at import time (the page routes
 * read their static files when this is called). The app's `fetch` records
 * `http_request_duration_seconds` by route pattern and status for every request, and it registers
 * `deps.store` as the source of the store gauges in `deps.metrics`.
 */
export function createApp(deps: ApiDeps, options: CreateAppOptions = {}): Hono {
  const { store, reader, metrics } = deps;
  const logger = deps.logger ?? stderrLogger;
  metrics.trackStore(store);
  const orders = createReadThrough({
    store,
    reader,
    metrics,
    ...deps.readThrough,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const stats =
    deps.stats ?? createStatsSource({ metrics, store, ...(deps.now ? { now: deps.now } : {}) });

  // RegExpRouter alone: one precompiled regexp for all routes (bench/http.bench.ts compares it with
  // the default SmartRouter and LinearRouter).
  const app = new Hono({ router: options.router?.() ?? new RegExpRouter() });
  app.onError(createErrorHandler(logger));
  app.notFound((c) => {
    setRouteLabel(c.req.raw, 'unmatched');
    return notFoundHandler(c);
  });

  // `/orders/recent` and `/orders/search` are dispatched by the `/orders/:order_uid` handler (see
  // order-by-uid.ts).
  const search = deps.search ? [ordersSearchRoute(deps.search)] : [];
  mountRoute(app, orderByUidRoute(orders, [ordersRecentRoute(orders), ...search]));
  mountRoute(app, ordersQueryRoute(orders, deps.getOrderById));
  mountRoute(app, statsRoute(stats));
  mountRoute(app, healthzRoute());
  mountRoute(app, readyzRoute(deps.readiness));
  mountRoute(app, metricsRoute(metrics.registry));
  mountRoute(app, openApiRoute(deps.getOrderById));
  mountRoute(app, docsRoute(deps.getOrderById));
  // off without tokens: not mounted, so /dead-letters… is the plain 404 of any unknown path
  if (deps.admin && deps.admin.tokens.length > 0) app.route('/', createAdminRoutes(deps.admin));
  if (options.page !== false) {
    app.route('/', createPageRoutes({ getOrderById: deps.getOrderById }));
  }

  const dispatch = app.fetch;
  const recordHttp = createHttpMetrics(metrics.httpRequestDuration);
  app.fetch = (request, env, executionCtx) => {
    const start = performance.now();
    const response = dispatch(request, env, executionCtx);
    if (response instanceof Promise) {
      return response.then((res) => {
        recordHttp(request, res.status, start);
        return res;
      });
    }
    recordHttp(request, response.status, start);
    return response;
  };
  if (deps.tracing?.enabled) app.fetch = traceRequests(app.fetch, deps.tracing);
  return app;
}

const stderrLogger: ApiLogger = {
  error(message, fields) {
    process.stderr.write(
      `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: message, ...fields })}\n`,
    );
  },
};
