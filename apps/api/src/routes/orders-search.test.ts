import { describe, expect, it } from 'vitest';
import type { OrderSummary } from '../order-summary.ts';
import { createFakeSearch } from '../test/fake-search.ts';
import { expectError, routeApp } from '../test/route-app.ts';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  ordersSearchRoute,
  SEARCH_TIMEOUT_MS,
} from './orders-search.ts';

const summary = (id: number, date: string, extra: Partial<OrderSummary> = {}): OrderSummary => ({
  id,
  order_uid: `order-${id}`,
  track_number: `TRACK-${id % 3}`,
  date_created: date,
  customer_id: `customer-${id % 2}`,
  amount: 100,
  currency: 'USD',
  items: 1,
  ...extra,
});

// ids 1..10, two per day from 2026-12-01; ids 9 and 10 share one instant
const ORDERS = Array.from({ length: 10 }, (_, i) =>
  summary(
    i + 1,
    i >= 8 ? '2026-12-05T12:00:00Z' : `2026-12-0${1 + Math.floor(i / 2)}T0${i % 2}:00:00Z`,
  ),
);

function setup() {
  const search = createFakeSearch(ORDERS);
  return { search, ...routeApp(ordersSearchRoute(search)) };
}

type Page = { orders: OrderSummary[]; next: string | null };

describe('GET /orders/search', () => {
  it('passes each condition to the search and answers its page with ids, uids and summaries', async () => {
    const { app, search } = setup();
    const res = await app.request(
      '/orders/search?track_number=TRACK-1&customer_id=customer-1&from=2026-12-01&to=2026-12-05T00:00:00%2B02:00&limit=5',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(search.queries[0]).toEqual({
      trackNumber: 'TRACK-1',
      customerId: 'customer-1',
      from: '2026-12-01T00:00:00.000000Z',
      to: '2026-12-04T22:00:00.000000Z',
      limit: 5,
    });
    const body = (await res.json()) as Page;
    expect(body).toEqual({ orders: [ORDERS[6], ORDERS[0]], next: null });
  });

  it('pages newest first with next, across orders sharing date_created, none twice', async () => {
    const { app, search } = setup();
    const seen: number[] = [];
    let url: string | null = '/orders/search?from=2026-01-01&limit=3';
    let pages = 0;
    while (url !== null) {
      const body = (await (await app.request(url)).json()) as Page;
      seen.push(...body.orders.map((o) => o.id));
      url =
        body.next === null ? null : `/orders/search?from=2026-01-01&limit=3&cursor=${body.next}`;
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(search.queries[1]?.after).toEqual({
      dateCreatedMicros: BigInt(Date.parse('2026-12-04T01:00:00Z')) * 1000n,
      id: 8,
    });
  });

  it('defaults limit to 20', async () => {
    const { app, search } = setup();
    await app.request('/orders/search?customer_id=customer-0');
    expect(search.queries[0]?.limit).toBe(20);
  });

  it.each([
    ['no condition', '/orders/search', 'at least one of'],
    ['only a limit', '/orders/search?limit=5', 'at least one of'],
    ['limit 0', '/orders/search?customer_id=a&limit=0', 'limit'],
    ['limit 101', '/orders/search?customer_id=a&limit=101', 'limit'],
    ['limit not a number', '/orders/search?customer_id=a&limit=1e2', 'limit'],
    ['empty track_number', '/orders/search?track_number=', 'track_number'],
    ['10 KB track_number', `/orders/search?track_number=${'x'.repeat(10_240)}`, 'track_number'],
    ['%00 in customer_id', '/orders/search?customer_id=a%00b', 'customer_id'],
    ['a control character', '/orders/search?customer_id=a%1Bb', 'customer_id'],
    ['bad from', '/orders/search?from=yesterday', 'from'],
    ['from without zone', '/orders/search?from=2026-12-01T10:00:00', 'from'],
    ['no such day', '/orders/search?to=2026-02-30', 'to'],
    ['inverted range', '/orders/search?from=2026-12-03&to=2026-12-01', 'from must be before to'],
    ['empty range', '/orders/search?from=2026-12-03&to=2026-12-03', 'from must be before to'],
    ['forged cursor', '/orders/search?customer_id=a&cursor=czEuMS4x%27%3B--', 'cursor'],
    ['cursor of another shape', `/orders/search?customer_id=a&cursor=${b64('v1.1.1')}`, 'cursor'],
    ['cursor id 0', `/orders/search?customer_id=a&cursor=${b64('s1.5.0')}`, 'cursor'],
    [
      'cursor past 9999',
      `/orders/search?customer_id=a&cursor=${b64('s1.999999999999999999.1')}`,
      'cursor',
    ],
    ['unknown parameter', '/orders/search?customer_id=a&q=1', 'unknown parameter q'],
    ['a parameter twice', '/orders/search?customer_id=a&customer_id=b', 'customer_id given more'],
    ['bad percent-encoding', '/orders/search?customer_id=%E0%A4%A', 'customer_id'],
  ])('%s: 400 naming it, the value never echoed, nothing searched', async (_, path, says) => {
    const { app, search } = setup();
    const error = await expectError(await app.request(path), 400, 'bad_request');
    expect(error.message).toContain(says);
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).not.toMatch(/SELECT|xxxx|\0/);
    expect(search.queries).toEqual([]);
  });

  it('takes unicode values as they are', async () => {
    const { app, search } = setup();
    const res = await app.request(`/orders/search?customer_id=${encodeURIComponent('клиент-😀')}`);
    expect(res.status).toBe(200);
    expect(search.queries[0]?.customerId).toBe('клиент-😀');
  });

  it('a failed search is a 503 with Retry-After, the cause logged and not sent', async () => {
    const { app, search, logged } = setup();
    search.fail(new Error('relation "orders" does not exist: SELECT secret'));
    const res = await app.request('/orders/search?track_number=TRACK-1');
    expect(res.headers.get('retry-after')).toBe('1');
    const error = await expectError(res, 503, 'unavailable');
    expect(error.message).toBe('order search unavailable');
    expect(logged).toHaveLength(1);
  });

  it('gives the search its budget and the request signal', async () => {
    let seen: { timeoutMs: number; signal: AbortSignal } | undefined;
    const { app } = routeApp(
      ordersSearchRoute(async (_, options) => {
        seen = options;
        return { orders: [], next: null };
      }),
    );
    await app.request('/orders/search?track_number=t');
    expect(seen?.timeoutMs).toBe(SEARCH_TIMEOUT_MS);
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}

describe('search cursor', () => {
  it('round-trips positions, before 1970 and at µs precision', () => {
    for (const p of [
      { dateCreatedMicros: 1_764_700_000_123_456n, id: 1 },
      { dateCreatedMicros: -1_000_001n, id: 9_007_199_254_740_991 },
      { dateCreatedMicros: 0n, id: 7 },
    ]) {
      expect(decodeSearchCursor(encodeSearchCursor(p))).toEqual(p);
    }
  });

  it('refuses every other text: leading zeros, -0, padding, an id past 2^53', () => {
    for (const text of [
      's1.05.1',
      's1.-0.1',
      's1.5.01',
      's1.5.9007199254740993',
      's1.5',
      's1.5.1.',
    ]) {
      expect(decodeSearchCursor(b64(text))).toBeUndefined();
    }
    expect(decodeSearchCursor(`${b64('s1.5.1')}=`)).toBeUndefined();
    expect(decodeSearchCursor('')).toBeUndefined();
  });
});
