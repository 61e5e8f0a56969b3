import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { createIngestMetrics } from './metrics.ts';

async function lagSeries(metrics: ReturnType<typeof createIngestMetrics>) {
  const parsed = parsePrometheusText(await metrics.registry.render());
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.families
    .get('orders_consumer_lag')
    ?.samples.map((s) => [s.labels.topic, s.labels.partition, s.value]);
}

describe('orders_consumer_lag', () => {
  it('shows only the partitions this instance owns: a revoked one leaves the scrape at once', async () => {
    const metrics = createIngestMetrics({ topic: 'orders' });
    metrics.owned([0, 1, 2]);
    metrics.lag([
      { partition: 0, lag: 5 },
      { partition: 1, lag: 0 },
      { partition: 2, lag: 9 },
    ]);
    expect(await lagSeries(metrics)).toEqual([
      ['orders', '0', 5],
      ['orders', '1', 0],
      ['orders', '2', 9],
    ]);
    // a rebalance gave 0 and 2 to another instance, 3 to this one
    metrics.owned([1, 3]);
    expect(await lagSeries(metrics)).toEqual([['orders', '1', 0]]);
    // a sample taken before the rebalance still names 2: left out
    metrics.lag([
      { partition: 2, lag: 9 },
      { partition: 3, lag: 4 },
    ]);
    expect(await lagSeries(metrics)).toEqual([
      ['orders', '1', 0],
      ['orders', '3', 4],
    ]);
    // the group lost (a crash): nothing is this instance's to report
    metrics.owned([]);
    expect(await lagSeries(metrics)).toEqual([]);
    // and a partition owned again shows again
    metrics.owned([0]);
    metrics.lag([{ partition: 0, lag: 1 }]);
    expect(await lagSeries(metrics)).toEqual([['orders', '0', 1]]);
  });
});
