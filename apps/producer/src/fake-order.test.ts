import { validateOrder } from '@orders/model';
import { describe, expect, it } from 'vitest';
import {
  createIsoSeconds,
  createOrderFaker,
  DEFAULT_WINDOW_MS,
  discounted,
  type FakeOrder,
  localPrice,
  MAX_FAKE_ITEMS,
  SEEDED_BASE_DATE,
} from './fake-order.ts';
import { MARKETS } from './locales.ts';

/** The rules a real order keeps beyond the schema; returns the broken ones. */
function inconsistencies(order: FakeOrder, baseDate: number): string[] {
  const broken: string[] = [];
  const p = order.payment;
  if (p.transaction !== order.order_uid) broken.push('payment.transaction !== order_uid');
  if (order.items.length < 1 || order.items.length > MAX_FAKE_ITEMS) broken.push('item count');
  let sum = 0;
  for (const item of order.items) {
    if (item.track_number !== order.track_number) broken.push('item track_number');
    if (item.total_price !== discounted(item.price, item.sale)) broken.push('item total_price');
    sum += item.total_price;
  }
  if (p.goods_total !== sum) broken.push('goods_total !== sum of total_price');
  if (p.amount !== p.goods_total + p.delivery_cost + p.custom_fee) broken.push('amount');
  if (!order.track_number.startsWith(order.entry)) broken.push('track_number prefix');
  const market = MARKETS.find((m) => m.entry === order.entry);
  if (!market || market.currency !== p.currency || market.locale !== order.locale)
    broken.push('market');
  if (market && !market.banks.includes(p.bank)) broken.push('bank of another market');
  const created = Date.parse(order.date_created);
  if (!(created <= baseDate && created >= baseDate - DEFAULT_WINDOW_MS))
    broken.push('date_created window');
  if (!(p.payment_dt * 1000 <= created && p.payment_dt * 1000 >= created - 300_000))
    broken.push('payment_dt');
  return broken;
}

describe('createOrderFaker', () => {
  it('makes 10,000 seeded orders that pass the schema and keep the consistency rules', () => {
    const faker = createOrderFaker({ seed: 12345, baseDate: SEEDED_BASE_DATE });
    const failures: string[] = [];
    const uids = new Set<string>();
    const itemCounts = new Set<number>();
    const locales = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const order = faker.order();
      // Through JSON, as the consumer sees it.
      const result = validateOrder(JSON.parse(JSON.stringify(order)));
      if (!result.ok) failures.push(`${order.order_uid}: ${JSON.stringify(result.problems)}`);
      for (const rule of inconsistencies(order, SEEDED_BASE_DATE))
        failures.push(`${order.order_uid}: ${rule}`);
      uids.add(order.order_uid);
      itemCounts.add(order.items.length);
      locales.add(`${order.locale}/${order.payment.currency}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(uids.size).toBe(10_000);
    // The whole 1–10 range and every market show up.
    expect([...itemCounts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(locales.size).toBe(MARKETS.length);
  });

  it('is reproducible: same seed, same orders; another seed, other orders', () => {
    const make = (seed: number) => {
      const faker = createOrderFaker({ seed, baseDate: SEEDED_BASE_DATE });
      return Array.from({ length: 200 }, () => JSON.stringify(faker.order())).join('\n');
    };
    expect(make(7)).toBe(make(7));
    expect(make(8)).not.toBe(make(7));
  });

  it('revise keeps uid, customer and date but changes the content, and stays consistent', () => {
    const faker = createOrderFaker({ seed: 3, baseDate: SEEDED_BASE_DATE });
    for (let i = 0; i < 500; i++) {
      const order = faker.order();
      const revised = faker.revise(order);
      expect(revised.order_uid).toBe(order.order_uid);
      expect(revised.customer_id).toBe(order.customer_id);
      expect(revised.delivery).toEqual(order.delivery);
      expect(revised.date_created).toBe(order.date_created);
      expect(JSON.stringify(revised)).not.toBe(JSON.stringify(order));
      expect(inconsistencies(revised, SEEDED_BASE_DATE)).toEqual([]);
      expect(validateOrder(JSON.parse(JSON.stringify(revised))).ok).toBe(true);
    }
  });

  it('spreads date_created over the window before the base date', () => {
    const baseDate = Date.UTC(2030, 5, 1);
    const faker = createOrderFaker({ seed: 1, baseDate, windowMs: 3_600_000 });
    const times = Array.from({ length: 2000 }, () => Date.parse(faker.order().date_created));
    expect(Math.max(...times)).toBeLessThanOrEqual(baseDate);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(baseDate - 3_600_000);
    // Spread, not clustered: both halves of the window are used.
    expect(times.filter((t) => t < baseDate - 1_800_000).length).toBeGreaterThan(500);
    expect(times.filter((t) => t >= baseDate - 1_800_000).length).toBeGreaterThan(500);
  });
});

describe('localPrice', () => {
  it('prices in minor units the way shops do', () => {
    expect(localPrice(5, 1)).toBe(499);
    expect(localPrice(30, 1)).toBe(2999);
    expect(localPrice(17, 90)).toBe(149_900);
    expect(localPrice(2, 0.92)).toBe(199);
  });
});

describe('createIsoSeconds', () => {
  it('formats like Date#toISOString without milliseconds', () => {
    const iso = createIsoSeconds();
    const times = [
      0,
      Date.UTC(2026, 0, 1),
      Date.UTC(2024, 1, 29, 23, 59, 59),
      Date.UTC(1999, 11, 31, 0, 0, 1),
    ];
    for (let i = 0; i < 2000; i++) times.push(Math.floor((Math.random() * 4e12) / 1000) * 1000);
    for (const t of times) expect(iso(t)).toBe(`${new Date(t).toISOString().slice(0, 19)}Z`);
  });
});
