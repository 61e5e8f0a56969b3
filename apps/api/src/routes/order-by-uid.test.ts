import type { StoredOrder } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { storedOrder } from '../test/orders.ts';
import { expectError, lookups, routeApp } from '../test/route-app.ts';
import { orderByUidRoute } from './order-by-uid.ts';

/** `GET /orders/:order_uid` alone on a fresh app, over memory holding `inMemory` orders. */
function setup(inMemory = 0) {
  const deps = lookups({ inMemory });
  return { ...deps, ...routeApp(orderByUidRoute(deps.readThrough)) };
}

describe('GET /orders/:order_uid', () => {
  it('sends the stored canonical bytes with ETag, cache-control and x-order-id', async () => {
    const { app, stored } = setup(3);
    const order = stored[1] as StoredOrder;
    const res = await app.request('/orders/order-2');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('etag')).toBe(order.etag);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-order-id')).toBe('2');
    expect(Buffer.from(await res.arrayBuffer()).equals(order.body)).toBe(true);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { app, stored } = setup(3);
    const res = await app.request('/orders/order-1', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(stored[0]?.etag);
    expect(await res.text()).toBe('');
  });

  it.each([
    ['the same ETag', (etag: string) => etag],
    ['its weak form', (etag: string) => `W/${etag}`],
    ['a list containing it', (etag: string) => `"nope", ${etag}`],
    ['*', () => '*'],
  ])('answers 304 to If-None-Match with %s', async (_name, field) => {
    const { app, stored } = setup(3);
    const etag = stored[0]?.etag as string;
    const res = await app.request('/orders/order-1', { headers: { 'if-none-match': field(etag) } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toBe('');
  });

  it('answers 200 to an If-None-Match that does not match', async () => {
    const { app, stored } = setup(3);
    const res = await app.request('/orders/order-1', {
      headers: { 'if-none-match': `"stale", ${stored[1]?.etag}` },
    });
    expect(res.status).toBe(200);
  });

  it('gives a new ETag when the order changes, and the old one no longer matches', async () => {
    const { app, store, stored } = setup(3);
    const old = stored[0]?.etag as string;
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
    const { app } = setup(3);
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

  it('405s a body of unknown length without reading it', async () => {
    const { app } = setup(3);
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
    const { app } = setup(3);
    await expectError(
      await app.request('/orders/order-1', { method: 'POST', body: '{}' }),
      405,
      'method_not_allowed',
    );
  });
});

describe('malformed order_uid keys are 400, never 5xx', () => {
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
  ];
  it.each(bad)('%s → 400', async (_name, path) => {
    const { app, reader } = setup(3);
    await expectError(await app.request(path), 400, 'bad_request');
    expect(reader.calls.getByUids + reader.calls.getByIds).toBe(0);
  });

  it.each([
    '/orders/../../etc/passwd',
    '/orders/%2e%2e/%2e%2e/etc/passwd',
    '/orders/./../metrics/../etc',
  ])('a path that normalizes out of /orders (%s) is a 404, not an order', async (path) => {
    const { app } = setup(3);
    await expectError(await app.request(path), 404, 'not_found');
  });
});
