import { ApiError } from '../http-error.ts';
import { readQuery } from '../query.ts';
import type { ReadThrough } from '../read-through.ts';
import { jsonResponse } from '../respond.ts';
import type { Route } from './route.ts';

export const RECENT_DEFAULT = 20;
export const RECENT_LIMIT = 100;
const PARAMS = ['limit'] as const;

/**
 * `GET /orders/recent?limit=N` — the newest orders as summaries for the page's list, newest first.
 * Served through the `/orders/:order_uid` handler, so an order whose uid is literally `recent` is
 * reached with `/orders?uid=recent`.
 */
export function ordersRecentRoute(orders: ReadThrough): Route {
  return {
    path: '/orders/recent',
    handler: async (c) => {
      const query = readQuery(c.req.url, PARAMS);
      if (!query.ok) throw new ApiError('bad_request', query.message);
      const limit = parseLimit(query.values.limit);
      if (limit === undefined) {
        throw new ApiError('bad_request', `limit must be an integer from 1 to ${RECENT_LIMIT}`);
      }
      // the request's signal is aborted when its client goes away: a read nobody waits for stops
      const { orders: list, source } = await orders.recent(limit, c.req.raw.signal);
      return jsonResponse({ orders: list }, 200, { 'x-orders-source': source });
    },
  };
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return RECENT_DEFAULT;
  if (!/^[0-9]{1,3}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= RECENT_LIMIT ? n : undefined;
}
