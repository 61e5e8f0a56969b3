import { describe, expect, it } from 'vitest';
import { createStatsSource } from '../stats.ts';
import { lookups, routeApp } from '../test/route-app.ts';
import { statsRoute } from './stats.ts';

describe('GET /stats', () => {
  it('reports the counters', async () => {
    const { store, metrics, figures, readThrough } = lookups({ inMemory: 4 });
    const { app } = routeApp(statsRoute(createStatsSource({ metrics, store })));
    figures.ingested += 10;
    figures.invalidByReason.not_json += 2;
    figures.deadLettered += 2;
    await readThrough.byUid('order-1');
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
});
