import type { Readiness } from '../deps.ts';
import { jsonResponse } from '../respond.ts';
import type { Route } from './route.ts';

/** `GET /healthz` — the process answers HTTP (liveness only: no dependency is checked). */
export function healthzRoute(): Route {
  return { path: '/healthz', handler: () => jsonResponse({ status: 'ok' }) };
}

/**
 * `GET /readyz` — 200 once memory is restored, the consumer has joined its group and PostgreSQL
 * answers; otherwise 503 with the reasons (a readiness report, not an error).
 */
export function readyzRoute(readiness: Readiness): Route {
  return {
    path: '/readyz',
    handler: () => {
      let state: { ready: boolean; reasons: string[] };
      try {
        state = readiness();
      } catch {
        state = { ready: false, reasons: ['readiness check failed'] };
      }
      const ready = state.ready === true;
      const reasons = ready ? [] : state.reasons.length > 0 ? state.reasons : ['not ready'];
      return jsonResponse({ status: ready ? 'ready' : 'not_ready', reasons }, ready ? 200 : 503);
    },
  };
}
