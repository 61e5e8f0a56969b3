import { ApiError } from '../http-error.ts';
import { parseOrderId, parseOrderUid } from '../keys.ts';
import { answerLookup } from '../lookup-response.ts';
import { readQuery } from '../query.ts';
import type { ReadThrough } from '../read-through.ts';
import type { Route } from './route.ts';

const PARAMS = ['id', 'uid'] as const;

/**
 * `GET /orders?uid=…` and `GET /orders?id=…`. With `getOrderById` (SERVER_GET_ORDER_BY_ID=1, the
 * default) `id` is the numeric id; with it off, `id` is read as an order_uid, as the seed service did.
 */
export function ordersQueryRoute(orders: ReadThrough, getOrderById: boolean): Route {
  return {
    path: '/orders',
    handler: (c) => {
      const query = readQuery(c.req.url, PARAMS);
      if (!query.ok) throw new ApiError('bad_request', query.message);
      const { id, uid } = query.values;
      if (id !== undefined && uid !== undefined) {
        throw new ApiError('bad_request', 'give either id or uid, not both');
      }
      const ifNoneMatch = c.req.raw.headers.get('if-none-match');
      if (id !== undefined && getOrderById) {
        const key = parseOrderId(id);
        if (!key.ok) throw new ApiError('bad_request', key.message);
        return answerLookup(orders.byId(key.key), ifNoneMatch);
      }
      const raw = uid ?? id;
      if (raw === undefined) throw new ApiError('bad_request', 'give an id or a uid parameter');
      const key = parseOrderUid(raw);
      if (!key.ok) throw new ApiError('bad_request', key.message);
      return answerLookup(orders.byUid(key.key), ifNoneMatch);
    },
  };
}
