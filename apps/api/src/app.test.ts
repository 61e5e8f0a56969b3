// createApp as a whole: what its wiring adds to the routes (each route's own behaviour is tested
// next to it, in routes/*.test.ts, on a fresh app of its own): the routes sharing one
// read-through, the HTTP metrics around `fetch`, the error and not-found handlers, and the rules
// that hold for every route, which are enumerated from `app.routes` (test/routes.ts).
import { createRegistry } from '@orders/metrics';
import { parsePrometheusText } from '@orders/metrics/testing';
import { createOrderStore, type OrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createApiMetrics, type IngestFigures, noIngestFigures } from './api-metrics.ts';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';
import { expectError, type Logged } from './test/route-app.ts';
import { apiRouteExamples, routePaths } from './test/routes.ts';

type Setup = {
  deps: ApiDeps;
  store: OrderStore;
  reader: ReturnType<typeof createFakeReader>;
  /** the API without the page */
  app: ReturnType<typeof createApp>;
  logged: Logged;
  readiness: { ready: boolean; reasons: string[] };
  /** what /stats reads as ingest's figures */
  figures: IngestFigures;
};

function setup(overrides: Partial<ApiDeps> = {}): Setup {
  const store = createOrderStore({ maxOrders: 1000, maxBytes: Infinity, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const logged: Logged = [];
  const readiness = { ready: true, reasons: [] as string[] };
  const figures = noIngestFigures();
  const deps: ApiDeps = {
    store,
    reader,
    readiness: () => readiness,
    metrics: createApiMetrics({ ingest: () => figures }),
    getOrderById: true,
    logger: { error: (message, fields) => logged.push({ message, fields }) },
    ...overrides,
  };
  return { deps, store, reader, app: createApp(deps, { page: false }), logged, readiness, figures };
}

function withOrders(count = 3, overrides: Partial<ApiDeps> = {}) {
  const s = setup(overrides);
  for (let i = 1; i <= count; i++) {
    s.store.put(storedOrder(i, `order-${i}`, { customer_id: `customer-${i}` }));
  }
  return s;
}

/** The whole app (page included) with order-1 in memory, and a path to each of its routes. */
function fullApp(s: Setup = setup()) {
  const order = storedOrder(1, 'order-1');
  s.store.put(order);
  const app = createApp(s.deps);
  return { app, order, paths: routePaths(app, apiRouteExamples({ uid: 'order-1', id: '1' })) };
}

describe('the lookup routes', () => {
  it('answers 1,000 concurrent requests for present and missing orders with no 5xx', async () => {
    const { app, store, reader, deps } = setup();
    for (let i = 1; i <= 100; i++) store.put(storedOrder(i, `mem-${i}`));
    for (let i = 101; i <= 300; i++) reader.add(storedOrder(i, `db-${i}`));
    const release = reader.hold(); // PostgreSQL is slower than the crowd arrives
    const expected: number[] = [];
    const pending = Array.from({ length: 1000 }, (_, i) => {
      const n = 1 + (((i >> 1) * 7) % 400); // 1–100 memory, 101–300 PostgreSQL, 301–400 missing
      expected.push(n <= 300 ? 200 : 404);
      return app.request(
        i % 2 === 0 ? `/orders/${n <= 100 ? 'mem' : 'db'}-${n}` : `/orders?id=${n}`,
      );
    });
    release();
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual(expected);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    for (const [i, body] of bodies.entries()) {
      if (responses[i]?.status === 200) expect(JSON.parse(body)).toHaveProperty('order_uid');
    }
    // the 300 uids and 300 ids memory lacks went out in a few batched queries, not one each
    const keys = [...reader.batches.uids.flat(), ...reader.batches.ids.flat()];
    expect(new Set(keys).size).toBe(600);
    expect(keys.length).toBe(600);
    const queries = reader.calls.getByUids + reader.calls.getByIds;
    expect(queries).toBeLessThan(20);
    expect(deps.metrics.readQueryKeys.labels().count).toBe(queries);
  });

  it('dispatches /orders/recent from the /orders/:order_uid route', async () => {
    const { app } = withOrders(2);
    const res = await app.request('/orders/recent?limit=1');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ orders: [{ id: 2, order_uid: 'order-2' }] });
  });
});

describe('GET /stats', () => {
  it('uses deps.stats when given', async () => {
    const snapshot = { custom: true } as unknown as ReturnType<NonNullable<ApiDeps['stats']>>;
    const { app } = setup({ stats: () => snapshot });
    expect(await (await app.request('/stats')).json()).toEqual({ custom: true });
  });
});

describe('GET /metrics', () => {
  it('serves valid Prometheus text with store gauges and HTTP durations by route pattern', async () => {
    // the process's registry, with a family of another owner (ingest's, in the service) on it
    const registry = createRegistry();
    registry
      .gauge({ name: 'orders_consumer_lag', help: 'Lag.', labelNames: ['topic', 'partition'] })
      .labels('orders', '0')
      .set(42);
    const { app, deps } = withOrders(3, { metrics: createApiMetrics({ registry }) });
    await app.request('/orders/order-1');
    await app.request('/orders/order-2');
    await app.request('/orders/nope');
    await app.request('/orders?id=1');
    await app.request('/no/such/route');
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const parsed = parsePrometheusText(await res.text());
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const families = parsed.families;
    const value = (name: string, labels: Record<string, string> = {}) =>
      families.get(name)?.samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))
        ?.value;

    expect(value('orders_store_orders')).toBe(3);
    expect(value('orders_store_bytes')).toBe(deps.store.stats().bytes);
    expect(value('orders_consumer_lag', { topic: 'orders', partition: '0' })).toBe(42);
    expect(value('orders_read_through_lookups_total', { result: 'memory' })).toBe(3);
    const counts = families
      .get('http_request_duration_seconds')
      ?.samples.filter((s) => s.name === 'http_request_duration_seconds_count')
      .map((s) => [s.labels.route, s.labels.status, s.value]);
    expect(counts).toEqual([
      ['/orders/:order_uid', '200', 2],
      ['/orders/:order_uid', '404', 1],
      ['/orders', '200', 1],
      ['unmatched', '404', 1],
    ]);
    // the API's families, then nothing else but what was registered before
    expect([...families.keys()]).toEqual([
      'orders_consumer_lag',
      'orders_store_orders',
      'orders_store_bytes',
      'orders_store_evictions_total',
      'orders_read_through_lookups_total',
      'orders_read_through_reads_total',
      'orders_read_through_query_keys',
      'http_request_duration_seconds',
    ]);
  });
});

describe('every route (from app.routes): wrong methods and bodies', () => {
  const { paths } = fullApp();
  const methods = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];
  const cases = paths.flatMap((path) => methods.map((method) => [method, path] as const));

  it('has a path for each route', () => {
    expect(paths.length).toBeGreaterThanOrEqual(fullApp().app.routes.length);
  });

  it.each(cases)('%s %s → 405 with Allow', async (method, path) => {
    const { app } = fullApp();
    const res = await app.request(path, { method });
    await expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a request announcing a large body with 413, before looking at anything', async () => {
    const { app } = fullApp();
    const body = 'x'.repeat(64 * 1024);
    const headers = { 'content-length': String(body.length) };
    for (const path of paths) {
      const post = await app.request(path, { method: 'POST', body, headers });
      await expectError(post, 413, 'payload_too_large');
    }
    // A GET body is never read, so it is not refused either.
    const get = await app.request('/orders/order-1', { headers: { 'content-length': '1000000' } });
    expect(get.status).toBe(200);
  });
});

describe('errors', () => {
  it('404s unknown routes with the JSON error body', async () => {
    const { app } = setup();
    for (const path of ['/nope', '/orders/a/b', '/orders/', '/metrics/x']) {
      await expectError(await app.request(path), 404, 'not_found');
    }
  });

  it('turns an unexpected exception into 500 internal without leaking it', async () => {
    const { store, app, logged } = setup();
    store.getByUid = () => {
      throw new Error('secret detail at /srv/x.ts:1');
    };
    const res = await app.request('/orders/anything');
    const error = await expectError(res, 500, 'internal');
    expect(error.message).toBe('internal error');
    const text = JSON.stringify(error);
    expect(text).not.toContain('secret');
    expect(logged[0]?.fields).toMatchObject({
      code: 'internal',
      error: { message: 'secret detail at /srv/x.ts:1', stack: expect.stringContaining('Error') },
    });
  });
});

describe('/openapi.json', () => {
  it('documents every API route (from app.routes)', async () => {
    const { app } = setup();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { get?: unknown }>;
    };
    const patterns = app.routes.map((route) => route.path.replace(/:(\w+)/g, '{$1}'));
    expect(patterns.length).toBeGreaterThan(5);
    for (const pattern of patterns) expect(doc.paths[pattern]?.get, pattern).toBeDefined();
  });
});

describe('X-Content-Type-Options', () => {
  // Every response the API sends, the page's included, whatever its status: each route by GET and
  // HEAD (from app.routes), revalidations (304), and every error (400, 404, 405, 413, 500, 503).
  type Case = [name: string, path: string, init?: RequestInit];
  const { paths } = fullApp();
  const cases: Case[] = [
    ...paths.map((path): Case => [path, path]),
    ...paths.map((path): Case => [`${path} (HEAD)`, path, { method: 'HEAD' }]),
    ['bad uid (400)', '/orders/not%20a%20uid'],
    ['bad limit (400)', '/orders/recent?limit=0'],
    ['unknown order (404)', '/orders/no-such-order'],
    ['unknown route (404)', '/nope'],
    ['unknown asset (404)', '/assets/nope.js'],
    ['wrong method (405)', '/metrics', { method: 'POST' }],
    ['wrong method on the page (405)', '/', { method: 'DELETE' }],
    [
      'large body (413)',
      '/openapi.json',
      { method: 'PUT', body: 'x'.repeat(20_000), headers: { 'content-length': '20000' } },
    ],
  ];

  it.each(cases)('%s', async (_name, path, init) => {
    const res = await fullApp().app.request(path, init);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('on 304s, 5xx and the not-ready readiness answer too', async () => {
    const s = setup();
    const { app: full, order } = fullApp(s);
    const sent: [string, Response][] = [];
    const ask = async (path: string, init?: RequestInit) => {
      const res = await full.request(path, init);
      sent.push([path, res]);
      return res;
    };
    const revalidate = { headers: { 'if-none-match': order.etag } };
    expect((await ask('/orders/order-1', revalidate)).status).toBe(304);
    expect((await ask('/orders?id=1', revalidate)).status).toBe(304);
    const page = await ask('/');
    const again = { headers: { 'if-none-match': page.headers.get('etag') ?? '' } };
    expect((await ask('/', again)).status).toBe(304);
    s.readiness.ready = false;
    expect((await ask('/readyz')).status).toBe(503);
    s.reader.fail(new Error('PostgreSQL is down'));
    expect((await ask('/orders/only-in-postgres')).status).toBe(503);
    s.store.getByUid = () => {
      throw new Error('bug');
    };
    expect((await ask('/orders/order-1')).status).toBe(500);
    for (const [path, res] of sent) {
      expect(res.headers.get('x-content-type-options'), `${res.status} ${path}`).toBe('nosniff');
    }
  });
});

describe('hot path', () => {
  it('each API path matches exactly one handler, with the page mounted', () => {
    const s = setup();
    const app = createApp(s.deps);
    for (const path of ['/orders/x', '/orders', '/stats', '/metrics', '/healthz']) {
      expect(app.router.match('GET', path)[0], path).toHaveLength(1);
    }
  });
});
