// The admin API's routes and their dispatch. Admin paths mix fixed segments and parameters at the
// same level (`/dead-letters/summary` next to `/dead-letters/:id`, and part B's `redrive` and
// `redrives`), which hono's RegExpRouter refuses, and a method a path lacks must be a 405 naming
// what it has (not another path's handler). So the app routes `/dead-letters` and everything
// under it to one dispatcher (after the auth), which picks the most specific pattern, then the
// method. The public routes' hot path is untouched.
import type { Context } from 'hono';
import { ApiError, methodNotAllowed } from '../http-error.ts';
import { MAX_BODY_BYTES, setRouteLabel } from '../routes/route.ts';
import type { AdminEnv } from './auth.ts';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type AdminContext = Context<AdminEnv>;

export type AdminRoute = {
  method: AdminMethod;
  /** the full path, `:name` for a parameter segment; also the metrics' `route` label */
  path: string;
  /** `params`: the path's parameter segments, percent-decoded (undecodable ones as they came) */
  handler(c: AdminContext, params: Record<string, string>): Response | Promise<Response>;
};

type Pattern = {
  path: string;
  segments: string[];
  routes: Map<string, AdminRoute>;
  /** the Allow header: GET implies HEAD */
  allow: string;
};

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Does `a` rank before `b`? At the first segment where they differ, a fixed one wins. */
function moreSpecific(a: Pattern, b: Pattern): boolean {
  for (let i = 0; i < a.segments.length; i++) {
    const x = (a.segments[i] ?? '').startsWith(':');
    const y = (b.segments[i] ?? '').startsWith(':');
    if (x !== y) return !x;
  }
  return false;
}

/** One handler for every admin path and method: the pattern, then its method, else 404 / 405. */
export function adminDispatcher(routes: readonly AdminRoute[]) {
  const patterns = new Map<string, Pattern>();
  for (const route of routes) {
    let pattern = patterns.get(route.path);
    if (!pattern) {
      pattern = { path: route.path, segments: route.path.split('/'), routes: new Map(), allow: '' };
      patterns.set(route.path, pattern);
    }
    if (pattern.routes.has(route.method)) {
      throw new Error(`admin route ${route.method} ${route.path} registered twice`);
    }
    pattern.routes.set(route.method, route);
  }
  const ordered = [...patterns.values()];
  for (const p of ordered) {
    const methods = [...p.routes.keys()];
    p.allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  }
  ordered.sort((a, b) => (moreSpecific(a, b) ? -1 : moreSpecific(b, a) ? 1 : 0));

  return (c: AdminContext): Response | Promise<Response> => {
    const segments = c.req.path.split('/');
    for (const pattern of ordered) {
      if (pattern.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matches = true;
      for (let i = 0; i < segments.length && matches; i++) {
        const want = pattern.segments[i] ?? '';
        const got = segments[i] ?? '';
        if (want.startsWith(':')) {
          if (got === '') matches = false;
          else params[want.slice(1)] = decodeSegment(got);
        } else matches = want === got;
      }
      if (!matches) continue;
      const request = c.req.raw;
      setRouteLabel(request, pattern.path);
      const method = request.method === 'HEAD' ? 'GET' : request.method;
      const route = pattern.routes.get(method);
      if (route) return route.handler(c, params);
      // as mountRoute does on the public routes: a large announced body is refused unread
      const length = request.headers.get('content-length');
      if (length !== null && !(Number(length) <= MAX_BODY_BYTES)) {
        throw new ApiError('payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
      }
      throw methodNotAllowed(pattern.allow);
    }
    throw new ApiError('not_found', 'no such route');
  };
}
