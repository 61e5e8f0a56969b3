import { createRegistry } from '@orders/metrics';
import { parsePrometheusText } from '@orders/metrics/testing';
import { orderJsonSchema } from '@orders/model';
import { createOrderStore, type OrderStore, type StoredOrder } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createApiMetrics, type IngestFigures, noIngestFigures } from './api-metrics.ts';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';

type Setup = {
  deps: ApiDeps;
  store: OrderStore;
  reader: ReturnType<typeof createFakeReader>;
  app: ReturnType<typeof createApp>;
  logged: { message: string; fields?: Record<string, unknown> }[];
  readiness: { ready: boolean; reasons: string[] };
  /** what /stats reads as ingest's figures */
  figures: IngestFigures;
};

function setup(overrides: Partial<ApiDeps> = {}): Setup {
  const store = createOrderStore({ maxOrders: 1000, maxBytes: Infinity, maxAgeMs: Infinity });
  const reader = createFakeReader();
  const logged: Setup['logged'] = [];
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
  const orders: StoredOrder[] = [];
  for (let i = 1; i <= count; i++) {
    const order = storedOrder(i, `order-${i}`, { customer_id: `customer-${i}` });
    s.store.put(order);
    orders.push(order);
  }
  return { ...s, orders };
}

/** The value at a path inside parsed JSON, or undefined. */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).not.toMatch(/\n\s+at /); // never a stack trace
  return body.error;
}

describe('GET /orders/:order_uid', () => {
  it('sends the stored canonical bytes with ETag, cache-control and x-order-id', async () => {
    const { app, orders } = withOrders();
    const order = orders[1] as StoredOrder;
    const res = await app.request('/orders/order-2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('etag')).toBe(order.etag);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-order-id')).toBe('2');
    expect(Buffer.from(await res.arrayBuffer()).equals(order.body)).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { app, orders } = withOrders();
    const res = await app.request('/orders/order-1', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(orders[0]?.etag);
    expect(await res.text()).toBe('');
  });

  it.each([
    ['the same ETag', (etag: string) => etag],
    ['its weak form', (etag: string) => `W/${etag}`],
    ['a list containing it', (etag: string) => `"nope", ${etag}`],
    ['*', () => '*'],
  ])('answers 304 to If-None-Match with %s', async (_name, field) => {
    const { app, orders } = withOrders();
    const etag = orders[0]?.etag as string;
    const res = await app.request('/orders/order-1', { headers: { 'if-none-match': field(etag) } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe('');
  });

  it('answers 200 to an If-None-Match that does not match', async () => {
    const { app, orders } = withOrders();
    const res = await app.request('/orders/order-1', {
      headers: { 'if-none-match': `"stale", ${orders[1]?.etag}` },
    });
    expect(res.status).toBe(200);
  });

  it('gives a new ETag when the order changes, and the old one no longer matches', async () => {
    const { app, store, orders } = withOrders();
    const old = orders[0]?.etag as string;
    store.put(storedOrder(1, 'order-1', { customer_id: 'changed' }));
    const res = await app.request('/orders/order-1', { headers: { 'if-none-match': old } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(old);
    expect(((await res.json()) as { customer_id: string }).customer_id).toBe('changed');
  });

  it('reads through to PostgreSQL for an order memory does not hold', async () => {
    const { app, reader } = setup();
    const evicted = storedOrder(77, 'evicted-one');
    reader.add(evicted);
    const res = await app.request('/orders/evicted-one');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-order-id')).toBe('77');
    expect(Buffer.from(await res.arrayBuffer()).equals(evicted.body)).toBe(true);
    const conditional = await app.request('/orders/evicted-one', {
      headers: { 'if-none-match': evicted.etag },
    });
    expect(conditional.status).toBe(304);
  });

  it('404s an unknown order with the JSON error body', async () => {
    const { app } = withOrders();
    const error = await expectError(await app.request('/orders/nope'), 404, 'not_found');
    expect(error.message).toBe('order not found');
  });

  it('404s an order ingested after a not-found no longer', async () => {
    const { app, store, reader } = setup();
    await expectError(await app.request('/orders/fresh'), 404, 'not_found');
    const order = storedOrder(5, 'fresh');
    reader.add(order);
    store.put(order);
    expect((await app.request('/orders/fresh')).status).toBe(200);
  });

  it('503s (not 500) when PostgreSQL fails on a memory miss, with Retry-After', async () => {
    const { app, reader, logged } = setup();
    reader.fail(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const res = await app.request('/orders/somewhere');
    const error = await expectError(res, 503, 'unavailable');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(error.message).not.toContain('ECONNREFUSED');
    expect(logged[0]?.fields).toMatchObject({ code: 'unavailable' });
  });

  it('shares one PostgreSQL read among concurrent requests for one missing key', async () => {
    const { app, reader } = setup();
    reader.add(storedOrder(8, 'hot'));
    const release = reader.hold();
    const pending = Array.from({ length: 25 }, () => app.request('/orders/hot'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(reader.calls.getByUids).toBe(1);
  });

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
});

describe('GET /orders?id= and ?uid=', () => {
  it('finds by numeric id and by uid', async () => {
    const { app, orders } = withOrders();
    const byId = await app.request('/orders?id=3');
    expect(byId.status).toBe(200);
    expect(Buffer.from(await byId.arrayBuffer()).equals((orders[2] as StoredOrder).body)).toBe(
      true,
    );
    const byUid = await app.request('/orders?uid=order-2');
    expect(byUid.headers.get('x-order-id')).toBe('2');
    expect((await app.request('/orders?id=0003')).headers.get('x-order-id')).toBe('3');
  });

  it('reads ?id= as an order_uid when getOrderById is off (seed compatibility)', async () => {
    const { app } = withOrders(3, { getOrderById: false });
    const res = await app.request('/orders?id=order-1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-order-id')).toBe('1');
    await expectError(await app.request('/orders?id=1'), 404, 'not_found'); // no uid "1"
    await expectError(await app.request('/orders?id=a/b'), 400, 'bad_request');
  });

  it('reads through by id, and 404s unknown ids', async () => {
    const { app, reader } = setup();
    reader.add(storedOrder(123, 'db-only'));
    expect((await app.request('/orders?id=123')).status).toBe(200);
    await expectError(await app.request('/orders?id=124'), 404, 'not_found');
  });

  it('supports 304 on the query routes', async () => {
    const { app, orders } = withOrders();
    const res = await app.request('/orders?id=1', {
      headers: { 'if-none-match': orders[0]?.etag as string },
    });
    expect(res.status).toBe(304);
  });
});

describe('malformed keys are 400, never 5xx', () => {
  const bad = [
    ['encoded traversal', '/orders/..%2F..%2Fetc%2Fpasswd'],
    ['encoded traversal, lower case', '/orders/..%2f..%2fetc%2fpasswd'],
    ['double-encoded traversal', '/orders/..%252F..%252Fetc%252Fpasswd'],
    ['double-encoded dots', '/orders/%252e%252e'],
    ['encoded backslash', '/orders/..%5C..%5Cwindows'],
    ['10 KB key', `/orders/${'x'.repeat(10_240)}`],
    ['65 characters', `/orders/${'x'.repeat(65)}`],
    ['SQL-ish', "/orders/x'%20OR%20'1'%3D'1"],
    ['SQL comment', '/orders/1;--'],
    ['unicode', '/orders/%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7'],
    ['emoji', '/orders/%F0%9F%98%80'],
    ['%00', '/orders/a%00b'],
    ['lone %', '/orders/%'],
    ['broken UTF-8', '/orders/%C3%28'],
    ['markup', '/orders/%3Cscript%3E'],
    ['query: non-numeric id', '/orders?id=abc'],
    ['query: negative id', '/orders?id=-1'],
    ['query: zero id', '/orders?id=0'],
    ['query: fractional id', '/orders?id=1.5'],
    ['query: exponent id', '/orders?id=1e3'],
    ['query: id 2^53', '/orders?id=9007199254740992'],
    ['query: id beyond bigint', '/orders?id=9223372036854775808'],
    ['query: 10 KB id', `/orders?id=${'9'.repeat(10_240)}`],
    ['query: empty id', '/orders?id='],
    ['query: repeated id', '/orders?id=1&id=2'],
    ['query: both id and uid', '/orders?id=1&uid=order-1'],
    ['query: no key', '/orders'],
    ['query: only unknown parameters', '/orders?order=1'],
    ['query: uid %00', '/orders?uid=%00'],
    ['query: uid traversal', '/orders?uid=..%2F..%2Fetc'],
    ['query: bad percent-encoding', '/orders?uid=%ZZ'],
    ['query: 10 KB uid', `/orders?uid=${'u'.repeat(10_240)}`],
    ['recent: limit 0', '/orders/recent?limit=0'],
    ['recent: limit 101', '/orders/recent?limit=101'],
    ['recent: limit abc', '/orders/recent?limit=abc'],
    ['recent: limit repeated', '/orders/recent?limit=1&limit=2'],
  ];
  it.each(bad)('%s → 400', async (_name, path) => {
    const { app, reader } = withOrders();
    await expectError(await app.request(path), 400, 'bad_request');
    expect(reader.calls.getByUids + reader.calls.getByIds).toBe(0);
  });

  it.each([
    '/orders/../../etc/passwd',
    '/orders/%2e%2e/%2e%2e/etc/passwd',
    '/orders/./../metrics/../etc',
  ])('a path that normalizes out of /orders (%s) is a 404, not an order', async (path) => {
    const { app } = withOrders();
    await expectError(await app.request(path), 404, 'not_found');
  });
});

describe('GET /orders/recent', () => {
  it('lists the newest orders first as summaries', async () => {
    const { app } = withOrders(5);
    const res = await app.request('/orders/recent?limit=2');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { orders: Record<string, unknown>[] };
    expect(body.orders).toEqual([
      {
        id: 5,
        order_uid: 'order-5',
        track_number: 'WBILMTESTTRACK',
        date_created: '2021-11-26T06:22:19Z',
        customer_id: 'customer-5',
        amount: 1817,
        currency: 'USD',
        items: 1,
      },
      expect.objectContaining({ id: 4, order_uid: 'order-4' }),
    ]);
  });

  it('defaults to 20 and caps at 100', async () => {
    const { app } = withOrders(120);
    const list = async (path: string) =>
      ((await (await app.request(path)).json()) as { orders: unknown[] }).orders.length;
    expect(await list('/orders/recent')).toBe(20);
    expect(await list('/orders/recent?limit=100')).toBe(100);
  });

  it('falls back to PostgreSQL when memory holds fewer orders than asked', async () => {
    const { app, reader } = setup();
    for (let i = 1; i <= 3; i++) reader.add(storedOrder(i, `db-${i}`));
    const res = await app.request('/orders/recent?limit=10');
    expect(res.headers.get('x-orders-source')).toBe('database');
    const body = (await res.json()) as { orders: { id: number }[] };
    expect(body.orders.map((o) => o.id)).toEqual([3, 2, 1]);
  });

  it('answers a crowd from PostgreSQL with one query (memory holding nothing)', async () => {
    const { app, reader } = setup({
      store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: Infinity }),
    });
    for (let i = 1; i <= 50; i++) reader.add(storedOrder(i, `db-${i}`));
    const release = reader.hold();
    const crowd = Array.from({ length: 64 }, () => app.request('/orders/recent'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    const answers = await Promise.all(crowd);
    expect(answers.map((r) => r.status)).toEqual(Array(64).fill(200));
    expect(answers.map((r) => r.headers.get('x-orders-source'))).toEqual(
      Array(64).fill('database'),
    );
    const first = (await answers[0]?.json()) as { orders: { id: number }[] };
    expect(first.orders.map((o) => o.id)).toEqual(Array.from({ length: 20 }, (_, i) => 50 - i));
    expect(reader.calls.recent).toBe(1);
  });

  it('answers memory (here nothing) when PostgreSQL does not answer within the timeout', async () => {
    const { app, reader } = setup({
      store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: Infinity }),
      readThrough: { timeoutMs: 20 },
    });
    const release = reader.hold();
    const res = await app.request('/orders/recent');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-orders-source')).toBe('memory');
    expect(await res.json()).toEqual({ orders: [] });
    expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(true);
    release();
  });
});

describe('health, readiness, stats', () => {
  it('GET /healthz is 200', async () => {
    const { app } = setup();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 503 with the reasons until ready, then 200', async () => {
    const { app, readiness } = setup();
    readiness.ready = false;
    readiness.reasons = ['memory not restored', 'consumer has not joined its group'];
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      reasons: ['memory not restored', 'consumer has not joined its group'],
    });
    readiness.ready = true;
    readiness.reasons = [];
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });
  });

  it('GET /readyz is 503 when the readiness check itself throws', async () => {
    const { app } = setup({
      readiness: () => {
        throw new Error('boom');
      },
    });
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', reasons: ['readiness check failed'] });
  });

  it('GET /stats reports the counters', async () => {
    const { app, figures } = withOrders(4);
    figures.ingested += 10;
    figures.invalidByReason.not_json += 2;
    figures.deadLettered += 2;
    await app.request('/orders/order-1');
    const res = await app.request('/stats');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const stats = (await res.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      ingested: { total: 10 },
      invalid: { total: 2, byReason: { not_json: 2, invalid_order: 0 } },
      deadLettered: { total: 2 },
      store: { count: 4 },
      lookups: { memory: 1 },
    });
    expect(typeof stats.uptimeSeconds).toBe('number');
  });

  it('GET /stats uses deps.stats when given', async () => {
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

describe('wrong methods and bodies', () => {
  const routes = [
    '/orders/order-1',
    '/orders?id=1',
    '/orders/recent',
    '/stats',
    '/healthz',
    '/readyz',
    '/metrics',
    '/openapi.json',
    '/docs',
  ];
  const methods = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];
  const cases = routes.flatMap((route) => methods.map((method) => [method, route] as const));

  it.each(cases)('%s %s → 405 with Allow', async (method, route) => {
    const { app } = withOrders();
    const res = await app.request(route, { method });
    await expectError(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a request announcing a large body with 413, before looking at anything', async () => {
    const { app } = withOrders();
    const body = 'x'.repeat(64 * 1024);
    const headers = { 'content-length': String(body.length) };
    for (const route of routes) {
      const post = await app.request(route, { method: 'POST', body, headers });
      await expectError(post, 413, 'payload_too_large');
    }
    // A GET body is never read, so it is not refused either.
    const get = await app.request('/orders/order-1', { headers: { 'content-length': '1000000' } });
    expect(get.status).toBe(200);
  });

  it('405s a body of unknown length without reading it', async () => {
    const { app } = withOrders();
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024 * 1024));
      },
    });
    const res = await app.request('/orders/order-1', {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    await expectError(res, 405, 'method_not_allowed');
    expect(pulled).toBeLessThanOrEqual(1); // the stream may prefetch once; it is never consumed
  });

  it('405s a small body on a GET-only route', async () => {
    const { app } = withOrders();
    await expectError(
      await app.request('/orders/order-1', { method: 'POST', body: '{}' }),
      405,
      'method_not_allowed',
    );
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

describe('/openapi.json and /docs', () => {
  it('serves OpenAPI 3.1 with the model schema, and every $ref resolves', async () => {
    const { app } = setup();
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc: unknown = await res.json();
    expect(dig(doc, 'openapi')).toBe('3.1.0');
    const { $schema: _schema, ...modelSchema } = orderJsonSchema as Record<string, unknown>;
    expect(dig(doc, 'components', 'schemas', 'Order')).toEqual(
      JSON.parse(JSON.stringify(modelSchema)),
    );
    for (const path of [
      '/orders/{order_uid}',
      '/orders',
      '/orders/recent',
      '/stats',
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
      '/docs',
    ]) {
      expect(dig(doc, 'paths', path, 'get'), path).toBeDefined();
    }
    const refs: string[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') refs.push(child);
          else walk(child);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      const parts = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
      expect(dig(doc, ...parts), ref).toBeDefined();
    }
  });

  it('describes ?id= according to SERVER_GET_ORDER_BY_ID', async () => {
    const idParam = async (getOrderById: boolean) => {
      const res = await setup({ getOrderById }).app.request('/openapi.json');
      return dig(await res.json(), 'paths', '/orders', 'get', 'parameters', 0, 'schema');
    };
    expect(await idParam(true)).toMatchObject({ type: 'integer', minimum: 1 });
    expect(await idParam(false)).toMatchObject({ type: 'string', maxLength: 64 });
  });

  it('renders a self-contained HTML docs page', async () => {
    const { app } = setup();
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('GET /orders/{order_uid}');
    expect(html).toContain('delivery_service');
    expect(html).toContain('<code>^[A-Za-z0-9_-]*$</code>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/i);
  });
});

describe('X-Content-Type-Options', () => {
  // Every response the API sends, the page's included, whatever its status: each route by GET and
  // HEAD, revalidations (304), and every error (400, 404, 405, 413, 500, 503).
  type Case = [name: string, path: string, init?: RequestInit];
  const routes: Case[] = [
    ['order by uid', '/orders/order-1'],
    ['order by ?id=', '/orders?id=1'],
    ['order by ?uid=', '/orders?uid=order-1'],
    ['recent orders', '/orders/recent?limit=2'],
    ['stats', '/stats'],
    ['liveness', '/healthz'],
    ['readiness', '/readyz'],
    ['metrics', '/metrics'],
    ['OpenAPI', '/openapi.json'],
    ['docs', '/docs'],
    ['page', '/'],
    ['page script', '/assets/app.js'],
    ['page styles', '/assets/styles.css'],
    ['page icon', '/assets/favicon.svg'],
  ];
  const cases: Case[] = [
    ...routes,
    ...routes.map(([name, path]): Case => [`${name} (HEAD)`, path, { method: 'HEAD' }]),
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

  function app(s: Setup) {
    const order = storedOrder(1, 'order-1');
    s.store.put(order);
    return { app: createApp(s.deps), order };
  }

  it.each(cases)('%s', async (_name, path, init) => {
    const res = await app(setup()).app.request(path, init);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('on 304s, 5xx and the not-ready readiness answer too', async () => {
    const s = setup();
    const { app: full, order } = app(s);
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
