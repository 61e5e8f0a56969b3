import { createOrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import type { ReadThroughTuning } from '../deps.ts';
import { storedOrder } from '../test/orders.ts';
import { expectError, lookups, routeApp } from '../test/route-app.ts';
import { ordersRecentRoute } from './orders-recent.ts';

/** `GET /orders/recent` alone on a fresh app (in the API, the order route dispatches it). */
function setup(
  opts: { inMemory?: number; memoryHoldsNothing?: boolean; readThrough?: ReadThroughTuning } = {},
) {
  const deps = lookups({
    inMemory: opts.inMemory ?? 0,
    ...(opts.memoryHoldsNothing
      ? { store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: Infinity }) }
      : {}),
    ...(opts.readThrough ? { readThrough: opts.readThrough } : {}),
  });
  return { ...deps, ...routeApp(ordersRecentRoute(deps.readThrough)) };
}

describe('GET /orders/recent', () => {
  it('lists the newest orders first as summaries', async () => {
    const { app } = setup({ inMemory: 5 });
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
    const { app } = setup({ inMemory: 120 });
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
    const { app, reader } = setup({ memoryHoldsNothing: true });
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
    const { app, reader } = setup({ memoryHoldsNothing: true, readThrough: { timeoutMs: 20 } });
    const release = reader.hold();
    const res = await app.request('/orders/recent');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-orders-source')).toBe('memory');
    expect(await res.json()).toEqual({ orders: [] });
    expect(reader.recentArgs[0]?.options?.signal.aborted).toBe(true);
    release();
  });

  it.each([
    ['limit 0', '/orders/recent?limit=0'],
    ['limit 101', '/orders/recent?limit=101'],
    ['limit abc', '/orders/recent?limit=abc'],
    ['limit repeated', '/orders/recent?limit=1&limit=2'],
  ])('%s → 400, never 5xx', async (_name, path) => {
    const { app, reader } = setup({ inMemory: 3 });
    await expectError(await app.request(path), 400, 'bad_request');
    expect(reader.calls.getByUids + reader.calls.getByIds).toBe(0);
  });
});
