import { Family, type MetricOptions } from './family.ts';
import { formatValue } from './format.ts';

export class GaugeChild {
  value = 0;

  set(value: number): void {
    this.value = value;
  }

  inc(amount = 1): void {
    this.value += amount;
  }

  dec(amount = 1): void {
    this.value -= amount;
  }
}

/** A value that goes up and down; set directly or read at scrape time through `collect`. */
export class Gauge extends Family<GaugeChild> {
  readonly type = 'gauge';

  constructor(options: MetricOptions) {
    super(options);
    if (this.labelNames.length === 0) this.unlabelled();
  }

  protected createChild(): GaugeChild {
    return new GaugeChild();
  }

  set(value: number): void {
    this.unlabelled().set(value);
  }

  inc(amount = 1): void {
    this.unlabelled().inc(amount);
  }

  dec(amount = 1): void {
    this.unlabelled().dec(amount);
  }

  get(...labelValues: string[]): number {
    return this.find(...labelValues)?.value ?? 0;
  }

  render(): string {
    if (this.collect)
      this.collect((value, ...labels) => {
        this.labels(...labels).set(value);
      });
    let out = this.header();
    for (let i = 0; i < this.children.length; i++) {
      out += `${this.name}${this.labelTexts[i]} ${formatValue((this.children[i] as GaugeChild).value)}\n`;
    }
    return out;
  }
}
