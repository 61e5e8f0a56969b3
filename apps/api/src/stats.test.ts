import { createOrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics/index.ts';
import { createStatsSource } from './stats.ts';
import { storedOrder } from './test/orders.ts';

describe('createStatsSource', () => {
  it('reads totals from the metrics and the store, and the ingest rate from samples', () => {
    const metrics = createMetrics();
    const store = createOrderStore({ maxOrders: 10, maxBytes: Infinity, maxAgeMs: Infinity });
    store.put(storedOrder(1, 'a'));
    let clock = 1_000_000;
    const stats = createStatsSource({ metrics, store, now: () => clock, startedAt: clock - 5000 });

    const first = stats();
    expect(first.uptimeSeconds).toBe(5);
    expect(first.ingested).toEqual({ total: 0, perSecond: null }); // one sample: no rate yet
    expect(first.store).toMatchObject({ count: 1, evicted: 0, expired: 0 });
    expect(first.invalid.byReason).toEqual({
      empty: 0,
      too_large: 0,
      not_json: 0,
      not_object: 0,
      invalid_order: 0,
    });

    metrics.ordersIngested.inc(500);
    metrics.ordersInvalid.labels('not_json').inc(3);
    clock += 2000;
    const second = stats();
    expect(second.ingested).toEqual({ total: 500, perSecond: 250 });
    expect(second.invalid).toMatchObject({ total: 3, byReason: { not_json: 3 } });

    // Samples older than the 10 s window stop counting.
    clock += 20_000;
    stats();
    metrics.ordersIngested.inc(100);
    clock += 1000;
    expect(stats().ingested.perSecond).toBeCloseTo(100, 0);
  });
});
