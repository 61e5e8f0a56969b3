// The process's registry, on prom-client (its storage, validation and text format). This module is
// the only prom-client importer: it adds what the apps rely on — children resolved once per label
// values (a hot path allocates nothing), typed synchronous reads of a series' value for the apps'
// snapshots (/stats, tests), counters that ignore a negative or NaN amount instead of throwing,
// scrape-time `collect(set)`, and the name rules below.
import client from 'prom-client';
import { assertLabelNames, assertMetricName } from './names.ts';

export const PROMETHEUS_CONTENT_TYPE = client.Registry.PROMETHEUS_CONTENT_TYPE;

/** Sets a series' value at scrape time: `set(value, ...labelValues)`. */
export type CollectSet = (value: number, ...labelValues: string[]) => void;

export type MetricOptions = {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Called on every render, before the series are written (values read from a source of truth). */
  collect?: (set: CollectSet) => void;
};

export type HistogramOptions = Omit<MetricOptions, 'collect'> & {
  /** Upper bounds, strictly increasing; `+Inf` is implicit (`le` is inclusive). */
  buckets: readonly number[];
};

export type CounterChild = {
  /** Adds `amount` (default 1); a negative or NaN amount is a caller's bug, ignored. */
  inc(amount?: number): void;
  readonly value: number;
};
export type GaugeChild = {
  set(value: number): void;
  inc(amount?: number): void;
  dec(amount?: number): void;
  readonly value: number;
};
export type HistogramChild = {
  /** Counts `value` in its bucket (NaN and ±Infinity ignored: prom-client refuses them). */
  observe(value: number): void;
  readonly count: number;
  readonly sum: number;
};

type Family<C> = {
  readonly name: string;
  /** The child for these label values, created (and its series shown at 0) on first use. */
  labels(...values: string[]): C;
};
export type Counter = Family<CounterChild> &
  CounterChild & {
    /** The current value of a series (0 for one never touched). */
    get(...values: string[]): number;
    /** The sum over every series. */
    total(): number;
  };
export type Gauge = Family<GaugeChild> &
  GaugeChild & {
    get(...values: string[]): number;
    /**
     * Drops a series from the scrape (e.g. a partition no longer owned); its child stays usable,
     * and its next `set`/`inc`/`dec` shows the series again.
     */
    remove(...values: string[]): void;
  };
export type Histogram = Family<HistogramChild> & HistogramChild;

export type Registry = {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions): Gauge;
  histogram(options: HistogramOptions): Histogram;
  /** Every metric in registration order, in Prometheus text format 0.0.4. */
  render(): Promise<string>;
};

/**
 * prom-client keeps a metric's series in `hashMap`, keyed `name:value,` per label in sorted name
 * order (lib/util.js hashObject). Its own read, `get()`, is async; the apps' snapshots are read
 * synchronously, so this one internal is read here, and registry.test.ts pins it.
 */
type Series = { value?: number; count?: number; sum?: number };
type Internal = { hashMap: Record<string, Series | undefined> };

function seriesKey(names: readonly string[], values: readonly string[]): string {
  const sorted = names
    .map((name, i) => [name, values[i] ?? ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let key = '';
  for (const [name, value] of sorted) key += `${name}:${value},`;
  return key;
}

function labelObject(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, i) => {
    labels[name] = values[i] ?? '';
  });
  return labels;
}

/** Children by label values (one Map per label level: finding one allocates nothing). */
function childCache<C>(names: readonly string[], name: string, create: (values: string[]) => C) {
  type Node = Map<string, Node | C>;
  const root: Node = new Map();
  let single: C | undefined;
  return (values: string[]): C => {
    if (values.length !== names.length) {
      throw new Error(`${name}: expected ${names.length} label values, got ${values.length}`);
    }
    if (values.length === 0) {
      single ??= create([]);
      return single;
    }
    let node = root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const key = values[i] as string;
      let next = node.get(key) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
    }
    let child = node.get(values[last] as string) as C | undefined;
    if (child === undefined) {
      child = create(values);
      node.set(values[last] as string, child);
    }
    return child;
  };
}

/** Calls `collect` with a `set` that writes through `apply`, once per scrape. */
function collector(
  options: MetricOptions,
  names: readonly string[],
  apply: (labels: Record<string, string>, value: number) => void,
): (() => void) | undefined {
  const { collect } = options;
  if (!collect) return undefined;
  return () => collect((value, ...values) => apply(labelObject(names, values), value));
}

export function createRegistry(): Registry {
  const registry = new client.Registry();
  const taken = new Set<string>();

  const claim = (name: string, histogram: boolean, labelNames: readonly string[]) => {
    assertMetricName(name);
    assertLabelNames(labelNames);
    // the names a histogram expands into (`_bucket`, `_sum`, `_count`) must not collide either
    const names = histogram ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
    for (const n of names) if (taken.has(n)) throw new Error(`metric registered twice: ${n}`);
    for (const n of names) taken.add(n);
  };

  return {
    counter(options) {
      const names = options.labelNames ?? [];
      claim(options.name, false, names);
      const collect = collector(options, names, (labels, value) => metric.inc(labels, value));
      const metric: client.Counter<string> = new client.Counter({
        name: options.name,
        help: options.help,
        labelNames: [...names],
        registers: [registry],
        ...(collect
          ? {
              collect() {
                metric.reset();
                collect();
              },
            }
          : {}),
      });
      const internal = metric as unknown as Internal;
      const labels = childCache<CounterChild>(names, options.name, (values) => {
        const labelled = labelObject(names, values);
        const key = seriesKey(names, values);
        if (names.length > 0) metric.inc(labelled, 0); // the series shows from now on, at 0
        const child = names.length > 0 ? metric.labels(labelled) : metric;
        return {
          inc(amount = 1) {
            if (amount > 0 && amount !== Number.POSITIVE_INFINITY) child.inc(amount);
          },
          get value() {
            return internal.hashMap[key]?.value ?? 0;
          },
        };
      });
      const unlabelled = () => labels([]);
      return {
        name: options.name,
        labels: (...values) => labels(values),
        inc: (amount) => unlabelled().inc(amount),
        get value() {
          return unlabelled().value;
        },
        get: (...values) => internal.hashMap[seriesKey(names, values)]?.value ?? 0,
        total() {
          let sum = 0;
          for (const series of Object.values(internal.hashMap)) sum += series?.value ?? 0;
          return sum;
        },
      };
    },

    gauge(options) {
      const names = options.labelNames ?? [];
      claim(options.name, false, names);
      const collect = collector(options, names, (labels, value) => metric.set(labels, value));
      const metric: client.Gauge<string> = new client.Gauge({
        name: options.name,
        help: options.help,
        labelNames: [...names],
        registers: [registry],
        ...(collect ? { collect } : {}),
      });
      const internal = metric as unknown as Internal;
      const finite = (v: number) => Number.isFinite(v);
      const labels = childCache<GaugeChild>(names, options.name, (values) => {
        const labelled = labelObject(names, values);
        const key = seriesKey(names, values);
        if (names.length > 0) metric.set(labelled, 0);
        return {
          set: (value) => {
            if (finite(value)) metric.set(labelled, value);
          },
          inc: (amount = 1) => {
            if (finite(amount)) metric.inc(labelled, amount);
          },
          dec: (amount = 1) => {
            if (finite(amount)) metric.dec(labelled, amount);
          },
          get value() {
            return internal.hashMap[key]?.value ?? 0;
          },
        };
      });
      const unlabelled = () => labels([]);
      return {
        name: options.name,
        labels: (...values) => labels(values),
        set: (value) => unlabelled().set(value),
        inc: (amount) => unlabelled().inc(amount),
        dec: (amount) => unlabelled().dec(amount),
        get value() {
          return unlabelled().value;
        },
        get: (...values) => internal.hashMap[seriesKey(names, values)]?.value ?? 0,
        remove(...values) {
          if (values.length !== names.length) {
            throw new Error(`${options.name}: expected ${names.length} label values`);
          }
          metric.remove(labelObject(names, values));
        },
      };
    },

    histogram(options) {
      const names = options.labelNames ?? [];
      const buckets = [...options.buckets];
      if (buckets.length === 0) throw new Error(`${options.name}: at least one bucket`);
      for (let i = 0; i < buckets.length; i++) {
        const bound = buckets[i] as number;
        if (!Number.isFinite(bound) || (i > 0 && bound <= (buckets[i - 1] as number))) {
          throw new Error(`${options.name}: buckets must be finite and strictly increasing`);
        }
      }
      claim(options.name, true, names);
      const metric = new client.Histogram({
        name: options.name,
        help: options.help,
        labelNames: [...names],
        buckets,
        registers: [registry],
      });
      const internal = metric as unknown as Internal;
      const labels = childCache<HistogramChild>(names, options.name, (values) => {
        const labelled = labelObject(names, values);
        const key = seriesKey(names, values);
        if (names.length > 0) metric.zero(labelled);
        const child = metric.labels(labelled);
        return {
          observe(value) {
            if (Number.isFinite(value)) child.observe(value);
          },
          get count() {
            return internal.hashMap[key]?.count ?? 0;
          },
          get sum() {
            return internal.hashMap[key]?.sum ?? 0;
          },
        };
      });
      const unlabelled = () => labels([]);
      return {
        name: options.name,
        labels: (...values) => labels(values),
        observe: (value) => unlabelled().observe(value),
        get count() {
          return unlabelled().count;
        },
        get sum() {
          return unlabelled().sum;
        },
      };
    },

    render: () => registry.metrics(),
  };
}
