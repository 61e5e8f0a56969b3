// A server span per request when tracing is on (createApp installs this only then: with tracing
// off the request path has no extra step at all). It continues an incoming W3C traceparent, is
// named by the route pattern (never the raw path: span names stay few) and carries the status.
import type { Tracing } from '@orders/tracing';
import type { Hono } from 'hono';
import { routeLabelOf } from './routes/route.ts';

type Fetch = Hono['fetch'];

export function traceRequests(fetch: Fetch, tracing: Tracing): Fetch {
  return (request, env, executionCtx) => {
    const headers = request.headers;
    const span = tracing.start(request.method, {
      kind: 'server',
      parent: headers.get('traceparent') ?? undefined,
      parentState: headers.get('tracestate') ?? undefined,
    });
    const finish = (response: Response) => {
      if (span.recording) {
        const route = routeLabelOf(request) ?? 'other';
        span.rename(`${request.method} ${route}`);
        span.setAttribute('http.request.method', request.method);
        span.setAttribute('http.route', route);
        span.setAttribute('url.path', new URL(request.url).pathname);
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.fail(new Error(`HTTP ${response.status}`));
      }
      span.end();
      return response;
    };
    const failed = (err: unknown): never => {
      span.fail(err);
      span.end();
      throw err;
    };
    let response: Response | Promise<Response>;
    try {
      response = fetch(request, env, executionCtx);
    } catch (err) {
      return failed(err);
    }
    return response instanceof Promise ? response.then(finish, failed) : finish(response);
  };
}
