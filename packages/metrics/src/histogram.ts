import { Family, type MetricOptions } from './family.ts';
import { formatLabels, formatValue } from './format.ts';

export type HistogramOptions = Omit<MetricOptions, 'collect'> & {
  /** Upper bounds, strictly increasing; `+Inf` is implicit. */
  buckets: readonly number[];
};

export class HistogramChild {
  /** Per-bucket (non-cumulative) counts; the last slot is the `+Inf` overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  readonly #bounds: Float64Array;

  constructor(bounds: Float64Array) {
    this.#bounds = bounds;
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.#bounds;
    // A linear scan beats a binary search for the dozen buckets used here.
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (this.counts as Float64Array)[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** A histogram with fixed buckets (Prometheus `le` is inclusive). */
export class Histogram extends Family<HistogramChild> {
  readonly type = 'histogram';
  readonly bounds: Float64Array;
  /** `le` label text per bucket, joined to each child's labels at render. */
  readonly #leTexts: string[];

  constructor(options: HistogramOptions) {
    super(options);
    const buckets = [...options.buckets];
    if (buckets.length === 0) throw new Error(`${options.name}: at least one bucket`);
    for (let i = 0; i < buckets.length; i++) {
      const bound = buckets[i] as number;
      if (!Number.isFinite(bound) || (i > 0 && bound <= (buckets[i - 1] as number))) {
        throw new Error(`${options.name}: buckets must be finite and strictly increasing`);
      }
    }
    this.bounds = Float64Array.from(buckets);
    this.#leTexts = [...buckets.map((b) => formatValue(b)), '+Inf'];
    if (this.labelNames.length === 0) this.unlabelled();
  }

  protected createChild(): HistogramChild {
    return new HistogramChild(this.bounds);
  }

  observe(value: number): void {
    this.unlabelled().observe(value);
  }

  render(): string {
    let out = this.header();
    const names = [...this.labelNames, 'le'];
    for (let c = 0; c < this.children.length; c++) {
      const child = this.children[c] as HistogramChild;
      const labels = this.labelTexts[c] as string;
      const values = this.labelValues[c] as readonly string[];
      let cumulative = 0;
      for (let i = 0; i < this.#leTexts.length; i++) {
        cumulative += child.counts[i] as number;
        const bucketLabels = formatLabels(names, [...values, this.#leTexts[i] as string]);
        out += `${this.name}_bucket${bucketLabels} ${formatValue(cumulative)}\n`;
      }
      out += `${this.name}_sum${labels} ${formatValue(child.sum)}\n`;
      out += `${this.name}_count${labels} ${formatValue(child.count)}\n`;
    }
    return out;
  }
}
