import { Counter } from './counter.ts';
import type { MetricOptions } from './family.ts';
import { Gauge } from './gauge.ts';
import { Histogram, type HistogramOptions } from './histogram.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type AnyMetric = Counter | Gauge | Histogram;

export type Registry = {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
  /** Every metric in registration order, in Prometheus text format 0.0.4. */
  render(): string;
};

/** A tiny dependency-free Prometheus registry: counters, gauges, fixed-bucket histograms. */
export function createRegistry(): Registry {
  const metrics = new Map<string, AnyMetric>();

  const add = <M extends AnyMetric>(metric: M): M => {
    // Names a histogram expands into (`_bucket`, `_sum`, `_count`) must not collide either.
    const names =
      metric.type === 'histogram'
        ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
        : [metric.name];
    for (const name of names) {
      if (metrics.has(name)) throw new Error(`metric registered twice: ${name}`);
    }
    for (const name of names) metrics.set(name, metric);
    return metric;
  };

  return {
    counter: (options) => add(new Counter(options)),
    gauge: (options) => add(new Gauge(options)),
    histogram: (options) => add(new Histogram(options)),
    render() {
      let out = '';
      for (const metric of new Set(metrics.values())) out += metric.render();
      return out;
    },
  };
}
