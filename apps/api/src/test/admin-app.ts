// One or a few admin routes on a fresh Hono, dispatched as createAdminRoutes dispatches them, with
// the API's error handling and a fixed `admin` name where adminAuth would set it (the auth has
// its own tests: admin/auth.test.ts); the per-route tests next to each admin route use it.
import { createOrderStore } from '@orders/store';
import { Hono } from 'hono';
import type { AdminEnv } from '../admin/auth.ts';
import type { AdminDeps } from '../admin/deps.ts';
import { type AdminRoute, adminDispatcher } from '../admin/route.ts';
import { createApiMetrics } from '../api-metrics.ts';
import { createApp } from '../app.ts';
import { createErrorHandler, notFoundHandler } from '../http-error.ts';
import { createFakeDeadLetters, type FakeDeadLetters } from './fake-dead-letters.ts';
import { createFakeReader } from './fake-reader.ts';
import type { Logged } from './route-app.ts';

export const TEST_TOKENS = [
  { name: 'ops', secret: 'ops-secret-0123456789abcdef' },
  { name: 'ci', secret: 'ci-secret-0123456789abcdefgh' },
] as const;

/** AdminDeps over a fake ledger (KAFKA_MAX_BYTES 512 KiB, the default). */
export function adminDeps(overrides: Partial<AdminDeps> = {}): AdminDeps & {
  deadLetters: FakeDeadLetters;
} {
  return {
    tokens: TEST_TOKENS,
    deadLetters: createFakeDeadLetters(),
    maxMessageBytes: 512 * 1024,
    ...overrides,
  } as AdminDeps & { deadLetters: FakeDeadLetters };
}

export function adminRouteApp(...routes: AdminRoute[]): { app: Hono<AdminEnv>; logged: Logged } {
  const logged: Logged = [];
  const app = new Hono<AdminEnv>();
  app.onError(createErrorHandler({ error: (message, fields) => logged.push({ message, fields }) }));
  app.notFound(notFoundHandler);
  const dispatch = adminDispatcher(routes);
  app.all(
    '/dead-letters/*',
    async (c, next) => {
      c.set('admin', 'ops');
      await next();
    },
    dispatch,
  );
  return { app, logged };
}

/** The whole API (createApp, no page) with `admin` as given (undefined: the admin API off). */
export function adminApiApp(admin: AdminDeps | undefined): { app: Hono; logged: Logged } {
  const logged: Logged = [];
  const app = createApp(
    {
      store: createOrderStore({ maxOrders: 10, maxBytes: Infinity, maxAgeMs: Infinity }),
      reader: createFakeReader(),
      readiness: () => ({ ready: true, reasons: [] }),
      metrics: createApiMetrics(),
      getOrderById: true,
      logger: { error: (message, fields) => logged.push({ message, fields }) },
      ...(admin ? { admin } : {}),
    },
    { page: false },
  );
  return { app, logged };
}

/** `Authorization` for a test token (default: the first). */
export const bearer = (secret: string = TEST_TOKENS[0].secret) => ({
  authorization: `Bearer ${secret}`,
});
