// Prometheus text exposition format 0.0.4: the escaping and number rules in one place.
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** HELP text escapes only backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** `{a="1",b="2"}`, or '' without labels; rendered once per series and cached by the caller. */
export function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
  }
  return `${out}}`;
}

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
