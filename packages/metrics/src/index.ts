export {
  type DelayMonitor,
  type EventLoopDelayOptions,
  registerEventLoopDelay,
} from './event-loop.ts';
export { registerProcessMetrics } from './process.ts';
export {
  type CollectSet,
  type Counter,
  type CounterChild,
  createRegistry,
  type Gauge,
  type GaugeChild,
  type Histogram,
  type HistogramChild,
  type HistogramOptions,
  type MetricOptions,
  PROMETHEUS_CONTENT_TYPE,
  type Registry,
} from './registry.ts';
