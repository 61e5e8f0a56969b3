// Temporary, for `pnpm bench:http -- --prom-client` only (issue 11.2: prom-client or our registry,
// decided by measurement): @orders/metrics's Registry interface over prom-client 15, so the API's
// families (createApiMetrics) run unchanged on either. Children are prom-client's own objects
// (`metric.labels(...)`, resolved once, as createApiMetrics and http-metrics.ts do with ours): the
// hot path is prom-client's best case. Not for a scrape: prom-client renders asynchronously.
import type {
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  MetricOptions,
  Registry,
} from '@orders/metrics';
import prom from 'prom-client';

type Internal = { hashMap: Record<string, { value?: number; count?: number; sum?: number }> };

/** `value` (counters, gauges) or `count`/`sum` (histograms) read from prom-client's series map. */
function withReads<T extends object>(metric: Internal, child: T, key: () => string): T {
  Object.defineProperty(child, 'value', { get: () => metric.hashMap[key()]?.value ?? 0 });
  Object.defineProperty(child, 'count', { get: () => metric.hashMap[key()]?.count ?? 0 });
  Object.defineProperty(child, 'sum', { get: () => metric.hashMap[key()]?.sum ?? 0 });
  return child;
}

/** prom-client's series key: `name:value,` per label, names sorted. */
function labelKey(names: readonly string[], values: readonly string[]): string {
  const byName = new Map(names.map((n, i) => [n, values[i] ?? '']));
  return [...names]
    .sort()
    .map((n) => `${n}:${byName.get(n)},`)
    .join('');
}

export function createPromClientRegistry(): Registry {
  const registry = new prom.Registry();
  const family = <M extends { labels(...v: string[]): object }>(
    metric: M,
    names: readonly string[],
  ) => {
    const internal = metric as unknown as Internal;
    const children = new Map<string, object>();
    return {
      labels(...values: string[]) {
        const key = labelKey(names, values);
        let child = children.get(key);
        if (child === undefined) {
          child = withReads(internal, metric.labels(...values), () => key);
          children.set(key, child);
        }
        return child;
      },
    };
  };

  return {
    counter(o: MetricOptions) {
      const names = o.labelNames ?? [];
      const metric: prom.Counter<string> = new prom.Counter({
        name: o.name,
        help: o.help,
        labelNames: [...names],
        registers: [registry],
        ...(o.collect
          ? {
              collect(this: prom.Counter<string>) {
                this.reset();
                o.collect?.((v, ...labels) =>
                  this.inc(Object.fromEntries(names.map((n, i) => [n, labels[i] ?? ''])), v),
                );
              },
            }
          : {}),
      });
      const f = family(metric, names);
      return Object.assign(f, {
        inc: (n = 1) => metric.inc(n),
        get: (...values: string[]) => (f.labels(...values) as { value: number }).value,
      }) as unknown as Counter;
    },
    gauge(o: MetricOptions) {
      const names = o.labelNames ?? [];
      const metric: prom.Gauge<string> = new prom.Gauge({
        name: o.name,
        help: o.help,
        labelNames: [...names],
        registers: [registry],
        ...(o.collect
          ? {
              collect(this: prom.Gauge<string>) {
                o.collect?.((v, ...labels) =>
                  labels.length === 0 ? this.set(v) : this.labels(...labels).set(v),
                );
              },
            }
          : {}),
      });
      const f = family(metric, names);
      return Object.assign(f, { set: (v: number) => metric.set(v) }) as unknown as Gauge;
    },
    histogram(o: HistogramOptions) {
      const names = o.labelNames ?? [];
      const metric = new prom.Histogram({
        name: o.name,
        help: o.help,
        labelNames: [...names],
        buckets: [...o.buckets],
        registers: [registry],
      });
      const f = family(metric, names);
      return Object.assign(f, {
        observe: (v: number) => metric.observe(v),
      }) as unknown as Histogram;
    },
    render() {
      throw new Error('prom-client renders asynchronously (await registry.metrics())');
    },
  };
}
