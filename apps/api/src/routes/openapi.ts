import { buildOpenApi } from '../openapi/index.ts';
import { JSON_TYPE, NOSNIFF } from '../respond.ts';
import type { Route } from './route.ts';

/** `GET /openapi.json` — built on first request, then served from one string. */
export function openApiRoute(getOrderById: boolean): Route {
  let text: string | undefined;
  return {
    path: '/openapi.json',
    handler: () => {
      text ??= JSON.stringify(buildOpenApi({ getOrderById }), null, 2);
      return new Response(text, {
        status: 200,
        headers: {
          'content-type': JSON_TYPE,
          'cache-control': 'no-cache',
          'x-content-type-options': NOSNIFF,
        },
      });
    },
  };
}
