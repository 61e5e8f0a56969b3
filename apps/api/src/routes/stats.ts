import { jsonResponse } from '../respond.ts';
import type { StatsSnapshot } from '../stats.ts';
import type { Route } from './route.ts';

/** `GET /stats` — JSON counters for the page's live panel. */
export function statsRoute(stats: () => StatsSnapshot): Route {
  return { path: '/stats', handler: () => jsonResponse(stats()) };
}
