export { type CreateAppOptions, createApp } from './app.ts';
export type { ApiDeps, OrderReader, Readiness, ReadThroughTuning } from './deps.ts';
export {
  ApiError,
  type ApiErrorCode,
  type ApiLogger,
  ERROR_STATUS,
  errorResponse,
  toApiError,
} from './http-error.ts';
export { MAX_ORDER_ID, parseOrderId, parseOrderUid } from './keys.ts';
export {
  Counter,
  CounterChild,
  createMetrics,
  createRegistry,
  Gauge,
  GaugeChild,
  Histogram,
  HistogramChild,
  INVALID_REASONS,
  type LookupResult,
  type MetricFamily,
  type Metrics,
  type ParseResult,
  PROMETHEUS_CONTENT_TYPE,
  parsePrometheusText,
  type ReadResult,
  type Registry,
  type Sample,
  type StoreStatsSource,
} from './metrics/index.ts';
export { buildOpenApi } from './openapi/index.ts';
export {
  createReadThrough,
  type Lookup,
  READ_THROUGH_DEFAULTS,
  type ReadThrough,
  type ReadThroughOptions,
} from './read-through.ts';
export { serverOptions } from './server-options.ts';
export { createStatsSource, type StatsSnapshot } from './stats.ts';
