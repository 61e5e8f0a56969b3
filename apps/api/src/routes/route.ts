import type { Context, Hono } from 'hono';
import { ApiError, methodNotAllowed } from '../http-error.ts';

/** Every route serves GET (and HEAD, which hono answers from GET without a body). */
export const ALLOW = 'GET, HEAD';
/** No route reads a body; a non-GET request announcing more than this is refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;

export type RouteHandler = (c: Context) => Response | Promise<Response>;

export type Route = {
  /** Hono path pattern; also the `route` label of the HTTP metrics (never the raw path). */
  path: string;
  handler: RouteHandler;
};

const ROUTE_LABEL = Symbol.for('@orders/api.route');
type Labelled = { [ROUTE_LABEL]?: string };

/** The route label the metrics middleware reads after the response; `other` when no route set it. */
export function routeLabelOf(request: Request): string | undefined {
  return (request as Labelled)[ROUTE_LABEL];
}

export function setRouteLabel(request: Request, label: string): void {
  (request as Labelled)[ROUTE_LABEL] = label;
}

/**
 * Mounts a route as ONE handler for all methods. One handler per path keeps hono on its fast path
 * (no middleware composition), and lets a wrong method be a 405 with `Allow` (or a 413 when it
 * announces a large body) instead of falling through to 404.
 */
export function mountRoute(app: Hono, route: Route): void {
  const { path, handler } = route;
  app.all(path, (c) => {
    const request = c.req.raw;
    setRouteLabel(request, path);
    const method = request.method;
    if (method === 'GET' || method === 'HEAD') return handler(c);
    // GET and HEAD bodies are never read (by us or by @hono/node-server), so only other methods
    // pay for the Content-Length lookup.
    const length = request.headers.get('content-length');
    if (length !== null && !(Number(length) <= MAX_BODY_BYTES)) {
      throw new ApiError('payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
    }
    throw methodNotAllowed(ALLOW);
  });
}
