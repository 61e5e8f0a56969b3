import { createOrderStore } from '@orders/store';
import { describe, expect, it } from 'vitest';
import { createApiMetrics, noIngestFigures } from './api-metrics.ts';
import { createStatsSource } from './stats.ts';
import { storedOrder } from './test/orders.ts';

describe('createStatsSource', () => {
  it("reads ingest's figures, the lookups and the store, and the ingest rate from samples", () => {
    const figures = noIngestFigures();
    const metrics = createApiMetrics({ ingest: () => figures });
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
      rejected_by_database: 0,
    });

    figures.ingested += 500;
    figures.invalidByReason.not_json += 3;
    figures.invalidByReason.rejected_by_database += 1;
    figures.deadLettered += 4;
    metrics.lookups.memory.inc(2);
    metrics.lookups.negative_cache.inc();
    metrics.lookups.not_found.inc();
    clock += 2000;
    const second = stats();
    expect(second.ingested).toEqual({ total: 500, perSecond: 250 });
    expect(second.invalid).toMatchObject({
      total: 4,
      byReason: { not_json: 3, rejected_by_database: 1 },
    });
    expect(second.deadLettered).toEqual({ total: 4 });
    expect(second.lookups).toEqual({ memory: 2, database: 0, notFound: 2, errors: 0 });

    // Samples older than the 10 s window stop counting.
    clock += 20_000;
    stats();
    figures.ingested += 100;
    clock += 1000;
    expect(stats().ingested.perSecond).toBeCloseTo(100, 0);
  });
});
