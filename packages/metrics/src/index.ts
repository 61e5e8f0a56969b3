export { Counter, CounterChild } from './counter.ts';
export type { CollectSet, MetricOptions, MetricType } from './family.ts';
export { Gauge, GaugeChild } from './gauge.ts';
export { Histogram, HistogramChild, type HistogramOptions } from './histogram.ts';
export { registerProcessMetrics } from './process.ts';
export { createRegistry, PROMETHEUS_CONTENT_TYPE, type Registry } from './registry.ts';
