// The name rules of the text format 0.0.4, checked when a family is registered (prom-client checks
// metric and label names too; the reserved labels and duplicates are checked here).
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name: ${name}`);
}

export function assertLabelNames(names: readonly string[]): void {
  for (const name of names) {
    // `le` is reserved for histogram buckets, `__` prefixes for Prometheus itself.
    if (!LABEL_NAME.test(name) || name.startsWith('__') || name === 'le') {
      throw new Error(`invalid label name: ${name}`);
    }
  }
  if (new Set(names).size !== names.length) throw new Error(`duplicate label names: ${names}`);
}
