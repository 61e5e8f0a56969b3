import type { StoredOrder } from '@orders/store';
import { ifNoneMatchMatches } from './etag.ts';

export const JSON_TYPE = 'application/json; charset=utf-8';
/**
 * `X-Content-Type-Options: nosniff`, sent with every response of the API (app.test.ts asks each
 * route), so no browser second-guesses a declared type (JSON or Prometheus text sniffed as HTML).
 */
export const NOSNIFF = 'nosniff';
/**
 * An order's content can change (a newer version of the same order_uid wins), so caches must
 * revalidate every time; the ETag makes revalidation a cheap 304.
 */
export const ORDER_CACHE_CONTROL = 'no-cache';

/**
 * 200 with the stored canonical bytes as they are (no serialization on the hot path), or 304 when
 * If-None-Match matches. Plain-object headers and a Buffer body keep @hono/node-server on its fast
 * path (no Headers instance, no stream).
 */
export function orderResponse(order: StoredOrder, ifNoneMatch: string | null): Response {
  if (ifNoneMatch !== null && ifNoneMatchMatches(ifNoneMatch, order.etag)) {
    return new Response(null, {
      status: 304,
      headers: {
        etag: order.etag,
        'cache-control': ORDER_CACHE_CONTROL,
        'x-order-id': String(order.id),
        'x-content-type-options': NOSNIFF,
      },
    });
  }
  return new Response(order.body, {
    status: 200,
    headers: {
      'content-type': JSON_TYPE,
      etag: order.etag,
      'cache-control': ORDER_CACHE_CONTROL,
      'x-order-id': String(order.id),
      'x-content-type-options': NOSNIFF,
    },
  });
}

/** A small JSON document that is not an order (health, stats, lists). */
export function jsonResponse(
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      'content-type': JSON_TYPE,
      'cache-control': 'no-store',
      'x-content-type-options': NOSNIFF,
      ...headers,
    },
  });
}
