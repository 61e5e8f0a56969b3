import { ApiError } from '../http-error.ts';
import { parseOrderUid } from '../keys.ts';
import { answerLookup } from '../lookup-response.ts';
import type { ReadThrough } from '../read-through.ts';
import { type Route, setRouteLabel } from './route.ts';

/**
 * `GET /orders/:order_uid` — the order's canonical JSON.
 *
 * `fixed` routes share the segment (`/orders/recent`): hono's RegExpRouter cannot hold a static
 * path next to a parameter at the same level, and two matching routes would cost a middleware
 * chain on every lookup, so this one handler dispatches them. An order whose uid is literally one
 * of those names is reached with `/orders?uid=…`.
 */
export function orderByUidRoute(orders: ReadThrough, fixed: Route[] = []): Route {
  const bySegment = new Map(fixed.map((route) => [route.path.slice('/orders/'.length), route]));
  return {
    path: '/orders/:order_uid',
    handler: (c) => {
      const raw = c.req.param('order_uid') ?? '';
      const other = bySegment.get(raw);
      if (other !== undefined) {
        setRouteLabel(c.req.raw, other.path);
        return other.handler(c);
      }
      const uid = parseOrderUid(raw);
      if (!uid.ok) throw new ApiError('bad_request', uid.message);
      return answerLookup(orders.byUid(uid.key), c.req.raw.headers.get('if-none-match'));
    },
  };
}
