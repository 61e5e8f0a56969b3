import { assertLabelNames, assertMetricName, escapeHelp, formatLabels } from './format.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Sets a series' value at scrape time: `set(value, ...labelValues)`. */
export type CollectSet = (value: number, ...labelValues: string[]) => void;

export type MetricOptions = {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** Called on every render, before the series are written (values read from a source of truth). */
  collect?: (set: CollectSet) => void;
};

type Node<C> = Map<string, Node<C> | C>;

/**
 * The series of one metric, one child per label-value combination. Children are found through
 * nested Maps (one level per label), so a lookup allocates nothing; callers on hot paths resolve
 * their child once and keep it.
 */
export abstract class Family<C> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly children: C[] = [];
  /** `{a="1"}` per child, in `children` order. */
  readonly labelTexts: string[] = [];
  /** Label values per child, in `children` order. */
  readonly labelValues: (readonly string[])[] = [];
  readonly collect: ((set: CollectSet) => void) | undefined;
  abstract readonly type: MetricType;
  #root: Node<C> = new Map();
  #single: C | undefined;

  constructor(options: MetricOptions) {
    assertMetricName(options.name);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    assertLabelNames(this.labelNames);
    this.collect = options.collect;
  }

  protected abstract createChild(): C;

  /** The child for these label values (created on first use). */
  labels(...values: string[]): C {
    const names = this.labelNames;
    if (values.length !== names.length) {
      throw new Error(`${this.name}: expected ${names.length} label values, got ${values.length}`);
    }
    if (names.length === 0) return this.unlabelled();
    let node = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const key = values[i] as string;
      let next = node.get(key) as Node<C> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
    }
    const leaf = values[last] as string;
    let child = node.get(leaf) as C | undefined;
    if (child === undefined) {
      child = this.#add(values);
      node.set(leaf, child);
    }
    return child;
  }

  /** The child for these label values if it exists (never creates one). */
  find(...values: string[]): C | undefined {
    if (values.length !== this.labelNames.length) return undefined;
    if (values.length === 0) return this.#single;
    let node: Node<C> | C | undefined = this.#root;
    for (const value of values) {
      if (!(node instanceof Map)) return undefined;
      node = node.get(value);
    }
    return node as C | undefined;
  }

  protected unlabelled(): C {
    if (this.labelNames.length > 0) throw new Error(`${this.name}: label values required`);
    this.#single ??= this.#add([]);
    return this.#single;
  }

  #add(values: readonly string[]): C {
    const child = this.createChild();
    this.children.push(child);
    this.labelTexts.push(formatLabels(this.labelNames, values));
    this.labelValues.push([...values]);
    return child;
  }

  protected header(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
  }

  abstract render(): string;
}
