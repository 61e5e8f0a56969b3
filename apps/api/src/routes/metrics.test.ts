import { createRegistry } from '@orders/metrics';
import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { routeApp } from '../test/route-app.ts';
import { metricsRoute } from './metrics.ts';

describe('GET /metrics', () => {
  it('renders the whole registry as Prometheus text, never cached, nosniff', async () => {
    const registry = createRegistry();
    registry.counter({ name: 'a_total', help: 'A.' }).labels().inc(3);
    const { app } = routeApp(metricsRoute(registry));
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await res.text();
    expect(text).toBe(await registry.render());
    const parsed = parsePrometheusText(text);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.families.get('a_total')?.samples.map((s) => s.value)).toEqual([3]);
  });
});
