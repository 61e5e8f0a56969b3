export { Counter, CounterChild } from './counter.ts';
export type { CollectSet, MetricOptions, MetricType } from './family.ts';
export { Gauge, GaugeChild } from './gauge.ts';
export { Histogram, HistogramChild, type HistogramOptions } from './histogram.ts';
export {
  createMetrics,
  INVALID_REASONS,
  type LookupResult,
  type Metrics,
  type ReadResult,
  type StoreStatsSource,
} from './orders-metrics.ts';
export {
  type MetricFamily,
  type ParseResult,
  parsePrometheusText,
  type Sample,
} from './parse-text.ts';
export { createRegistry, PROMETHEUS_CONTENT_TYPE, type Registry } from './registry.ts';
