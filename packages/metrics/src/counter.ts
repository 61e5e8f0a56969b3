import { Family, type MetricOptions } from './family.ts';
import { formatValue } from './format.ts';

export class CounterChild {
  value = 0;

  inc(amount = 1): void {
    // A counter only goes up; a negative or NaN amount is a bug in the caller, ignored here so
    // a metrics mistake never breaks the request or batch that records it.
    if (amount > 0) this.value += amount;
  }
}

/** A monotonic counter; name it `…_total`. */
export class Counter extends Family<CounterChild> {
  readonly type = 'counter';

  constructor(options: MetricOptions) {
    super(options);
    if (this.labelNames.length === 0) this.unlabelled();
  }

  protected createChild(): CounterChild {
    return new CounterChild();
  }

  inc(amount = 1): void {
    this.unlabelled().inc(amount);
  }

  /** The current value (0 for a series never touched). */
  get(...labelValues: string[]): number {
    return this.find(...labelValues)?.value ?? 0;
  }

  /** The sum over every series. */
  total(): number {
    let sum = 0;
    for (const child of this.children) sum += child.value;
    return sum;
  }

  render(): string {
    if (this.collect)
      this.collect((value, ...labels) => {
        this.labels(...labels).value = value;
      });
    let out = this.header();
    for (let i = 0; i < this.children.length; i++) {
      out += `${this.name}${this.labelTexts[i]} ${formatValue((this.children[i] as CounterChild).value)}\n`;
    }
    return out;
  }
}
