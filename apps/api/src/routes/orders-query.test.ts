import type { StoredOrder } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { storedOrder } from '../test/orders.ts';
import { expectError, lookups, routeApp } from '../test/route-app.ts';
import { ordersQueryRoute } from './orders-query.ts';

/** `GET /orders?…` alone on a fresh app, over memory holding `inMemory` orders. */
function setup(inMemory = 0, getOrderById = true) {
  const deps = lookups({ inMemory });
  return { ...deps, ...routeApp(ordersQueryRoute(deps.readThrough, getOrderById)) };
}

describe('GET /orders?id= and ?uid=', () => {
  it('finds by numeric id and by uid', async () => {
    const { app, stored } = setup(3);
    const byId = await app.request('/orders?id=3');
    expect(byId.status).toBe(200);
    expect(Buffer.from(await byId.arrayBuffer()).equals((stored[2] as StoredOrder).body)).toBe(
      true,
    );
    const byUid = await app.request('/orders?uid=order-2');
    expect(byUid.headers.get('x-order-id')).toBe('2');
    expect((await app.request('/orders?id=0003')).headers.get('x-order-id')).toBe('3');
  });

  it('reads ?id= as an order_uid when getOrderById is off (seed compatibility)', async () => {
    const { app } = setup(3, false);
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
    const { app, stored } = setup(3);
    const res = await app.request('/orders?id=1', {
      headers: { 'if-none-match': stored[0]?.etag as string },
    });
    expect(res.status).toBe(304);
  });
});

describe('malformed query keys are 400, never 5xx', () => {
  const bad = [
    ['non-numeric id', '/orders?id=abc'],
    ['negative id', '/orders?id=-1'],
    ['zero id', '/orders?id=0'],
    ['fractional id', '/orders?id=1.5'],
    ['exponent id', '/orders?id=1e3'],
    ['id 2^53', '/orders?id=9007199254740992'],
    ['id beyond bigint', '/orders?id=9223372036854775808'],
    ['10 KB id', `/orders?id=${'9'.repeat(10_240)}`],
    ['empty id', '/orders?id='],
    ['repeated id', '/orders?id=1&id=2'],
    ['both id and uid', '/orders?id=1&uid=order-1'],
    ['no key', '/orders'],
    ['only unknown parameters', '/orders?order=1'],
    ['uid %00', '/orders?uid=%00'],
    ['uid traversal', '/orders?uid=..%2F..%2Fetc'],
    ['bad percent-encoding', '/orders?uid=%ZZ'],
    ['10 KB uid', `/orders?uid=${'u'.repeat(10_240)}`],
  ];
  it.each(bad)('%s → 400', async (_name, path) => {
    const { app, reader } = setup(3);
    await expectError(await app.request(path), 400, 'bad_request');
    expect(reader.calls.getByUids + reader.calls.getByIds).toBe(0);
  });
});
