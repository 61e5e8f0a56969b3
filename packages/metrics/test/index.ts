// `@orders/metrics/testing`: for tests only (no product code imports it).
export {
  type MetricFamily,
  type ParseResult,
  parsePrometheusText,
  type Sample,
} from './parse-text.ts';
