import { PROMETHEUS_CONTENT_TYPE, type Registry } from '@orders/metrics';
import { NOSNIFF } from '../respond.ts';
import type { Route } from './route.ts';

/** `GET /metrics` — Prometheus text exposition format 0.0.4. */
export function metricsRoute(registry: Registry): Route {
  return {
    path: '/metrics',
    handler: async () =>
      new Response(await registry.render(), {
        status: 200,
        headers: {
          'content-type': PROMETHEUS_CONTENT_TYPE,
          'cache-control': 'no-store',
          'x-content-type-options': NOSNIFF,
        },
      }),
  };
}
