import { describe, expect, it } from 'vitest';
import { exposedNames, metricNames } from './promql-names.ts';

describe('metricNames', () => {
  it('reads the names under functions, aggregations and comparisons', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (job, le) (rate(orders_freshness_seconds_bucket{job="x"}[5m]))) > 0.1',
      ),
    ).toEqual(['orders_freshness_seconds_bucket']);
  });

  it('skips keywords, grouping labels, durations, strings and Grafana variables', () => {
    expect(
      metricNames(
        'sum(rate(a_total{status=~"5.."}[$__rate_interval] offset 5m)) / on (job) group_left (pool) b > bool 1e3 and c unless d or label_replace(e, "dst", "up", "src", "(.*)")',
      ),
    ).toEqual(['a_total', 'b', 'c', 'd', 'e']);
  });

  it('keeps recording rule names with colons', () => {
    expect(metricNames('deriv(orders:consumer_lag:sum[5m]) > 0')).toEqual([
      'orders:consumer_lag:sum',
    ]);
  });

  it('reads a name written before its grouping clause and one after a function-like word', () => {
    expect(metricNames('sum(x_total) by (reason) + time() - y')).toEqual(['x_total', 'y']);
  });
});

describe('exposedNames', () => {
  it('adds the series names of histograms and summaries and every sample name', () => {
    const names = exposedNames(
      [
        '# HELP h_seconds Some.',
        '# TYPE h_seconds histogram',
        '# TYPE s summary',
        'g{a="1"} 3',
        'plain 1',
      ].join('\n'),
    );
    expect([...names].sort()).toEqual(
      [
        'g',
        'h_seconds',
        'h_seconds_bucket',
        'h_seconds_count',
        'h_seconds_sum',
        'plain',
        's',
        's_count',
        's_sum',
      ].sort(),
    );
  });
});
