// The admin API (`/dead-letters…`, ADMIN_TOKENS): mounted by createApp only when tokens are
// configured, so with none every admin path and method is the API's plain 404 (the feature is off,
// and does not show). Every request passes adminAuth first, then the dispatcher (route.ts).
import { Hono } from 'hono';
import { setRouteLabel } from '../routes/route.ts';
import { type AdminEnv, adminAuth } from './auth.ts';
import { deadLetterByIdRoute } from './dead-letter-by-id.ts';
import { deadLettersListRoute } from './dead-letters-list.ts';
import { deadLettersSummaryRoute } from './dead-letters-summary.ts';
import type { AdminDeps } from './deps.ts';
import { redriveEditRoute } from './redrive-edit.ts';
import { redriveCancelRoute, redriveResumeRoute, redriveRunRoute } from './redrive-runs.ts';
import { redriveStartRoute } from './redrive-start.ts';
import { type AdminRoute, adminDispatcher } from './route.ts';

export type { AdminEnv } from './auth.ts';
export { adminAuth } from './auth.ts';
export type { AdminDeps, DeadLetterReader } from './deps.ts';
export type { AdminRoute } from './route.ts';

/**
 * Every admin route, one file each: add a route here (its factory gets the AdminDeps) and it is
 * authenticated, dispatched (fixed segments before parameters, 405 with Allow for a method its
 * path lacks) and labelled in the HTTP metrics like these.
 */
export const ADMIN_ROUTES: readonly ((deps: AdminDeps) => AdminRoute)[] = [
  deadLettersListRoute,
  deadLettersSummaryRoute,
  deadLetterByIdRoute,
  redriveStartRoute,
  redriveEditRoute,
  redriveRunRoute,
  redriveResumeRoute,
  redriveCancelRoute,
];

/** Where the admin API lives; every path under it is the admin's (404 there is the admin's). */
export const ADMIN_PREFIX = '/dead-letters';

/** The admin routes as a Hono app for `app.route('/', …)`: auth, then dispatch, on the prefix. */
export function createAdminRoutes(deps: AdminDeps): Hono<AdminEnv> {
  if (deps.tokens.length === 0) throw new RangeError('the admin API needs at least one token');
  const admin = new Hono<AdminEnv>();
  const auth = adminAuth(deps.tokens);
  const dispatch = adminDispatcher(ADMIN_ROUTES.map((route) => route(deps)));
  const pattern = `${ADMIN_PREFIX}/*`; // matches `/dead-letters` itself too
  admin.all(
    pattern,
    // the label of what is answered before a route is known (401); the dispatcher names routes
    async (c, next) => {
      setRouteLabel(c.req.raw, pattern);
      await next();
    },
    auth,
    dispatch,
  );
  return admin;
}
