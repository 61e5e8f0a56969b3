import { createRegistry } from '@orders/metrics';
import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { createRedriveMetrics } from './metrics.ts';

describe('redrive metrics', () => {
  it('counts letters by outcome, every outcome at 0 from the start, and the runs in progress', async () => {
    const registry = createRegistry();
    let active = 0;
    const m = createRedriveMetrics(registry, () => active);
    const first = parsePrometheusText(await registry.render());
    if (!first.ok) throw new Error('unparsable');
    expect(first.families.get('orders_redrives_total')?.samples).toHaveLength(5);
    m.count('sent', 3);
    m.consumed({ stored: 1, superseded: 1, deadLettered: 1 });
    m.count('failed', 1);
    active = 2;
    const text = await registry.render();
    for (const line of [
      'orders_redrives_total{outcome="sent"} 3',
      'orders_redrives_total{outcome="stored"} 1',
      'orders_redrives_total{outcome="superseded"} 1',
      'orders_redrives_total{outcome="dead_lettered"} 1',
      'orders_redrives_total{outcome="failed"} 1',
      'orders_redrive_runs_in_progress 2',
    ]) {
      expect(text).toContain(line);
    }
    expect(m.value('sent')).toBe(3);
  });
});
