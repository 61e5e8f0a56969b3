import { type Metrics, PROMETHEUS_CONTENT_TYPE } from '../metrics/index.ts';
import { NOSNIFF } from '../respond.ts';
import type { Route } from './route.ts';

/** `GET /metrics` — Prometheus text exposition format 0.0.4. */
export function metricsRoute(metrics: Metrics): Route {
  return {
    path: '/metrics',
    handler: () =>
      new Response(metrics.render(), {
        status: 200,
        headers: {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'cache-control': 'no-store',
          'x-content-type-options': NOSNIFF,
        },
      }),
  };
}
