import { buildOpenApi, renderDocsPage } from '../openapi/index.ts';
import type { Route } from './route.ts';

// The page has no script and loads nothing: a CSP that allows only its inline style says so.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** `GET /docs` — the OpenAPI document as a readable HTML page. */
export function docsRoute(getOrderById: boolean): Route {
  let html: string | undefined;
  return {
    path: '/docs',
    handler: () => {
      html ??= renderDocsPage(buildOpenApi({ getOrderById }));
      return new Response(html, {
        status: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          'content-security-policy': CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    },
  };
}
