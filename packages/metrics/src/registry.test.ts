import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../test/parse-text.ts';
import { createRegistry } from './registry.ts';

function parse(text: string) {
  const result = parsePrometheusText(text);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.families;
}

describe('createRegistry', () => {
  it('renders counters with and without labels', async () => {
    const registry = createRegistry();
    const plain = registry.counter({ name: 'jobs_total', help: 'Jobs done.' });
    const byKind = registry.counter({
      name: 'errors_total',
      help: 'Errors.',
      labelNames: ['kind'],
    });
    plain.inc();
    plain.inc(2);
    byKind.labels('disk').inc();
    byKind.labels('net').inc(5);
    byKind.labels('disk').inc();

    const families = parse(await registry.render());
    expect(families.get('jobs_total')).toMatchObject({
      type: 'counter',
      help: 'Jobs done.',
      samples: [{ name: 'jobs_total', labels: {}, value: 3 }],
    });
    expect(families.get('errors_total')?.samples).toEqual([
      { name: 'errors_total', labels: { kind: 'disk' }, value: 2 },
      { name: 'errors_total', labels: { kind: 'net' }, value: 5 },
    ]);
    expect(byKind.get('net')).toBe(5);
    expect(byKind.get('never')).toBe(0);
    expect(byKind.total()).toBe(7);
  });

  it('ignores negative counter increments', async () => {
    const registry = createRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'c' });
    counter.inc(-4);
    counter.inc(Number.NaN);
    expect(counter.get()).toBe(0);
  });

  it('returns the same child for the same label values; a read never creates a series', async () => {
    const registry = createRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'c', labelNames: ['a', 'b'] });
    expect(counter.labels('x', 'y')).toBe(counter.labels('x', 'y'));
    expect(counter.labels('x', 'z')).not.toBe(counter.labels('x', 'y'));
    expect(counter.get('q', 'r')).toBe(0);
    // labels() shows a series at 0 from then on; get() does not create one
    expect(parse(await registry.render()).get('c_total')?.samples).toEqual([
      { name: 'c_total', labels: { a: 'x', b: 'y' }, value: 0 },
      { name: 'c_total', labels: { a: 'x', b: 'z' }, value: 0 },
    ]);
    expect(() => counter.labels('only-one')).toThrow(/expected 2 label values/);
  });

  it("reads values back synchronously (prom-client's series map, pinned here)", async () => {
    const registry = createRegistry();
    // label names out of sorted order: prom-client keys series by sorted names
    const counter = registry.counter({ name: 'r_total', help: 'r', labelNames: ['z', 'a'] });
    const gauge = registry.gauge({ name: 'g', help: 'g', labelNames: ['p'] });
    const plain = registry.gauge({ name: 'plain', help: 'p' });
    const histogram = registry.histogram({ name: 'h', help: 'h', labelNames: ['k'], buckets: [1] });
    counter.labels('1', '2').inc(3);
    counter.labels('1', '3').inc();
    gauge.labels('0').set(7);
    gauge.labels('0').dec(2);
    plain.inc(4);
    histogram.labels('a').observe(0.5);
    histogram.labels('a').observe(2);
    expect(counter.labels('1', '2').value).toBe(3);
    expect(counter.get('1', '3')).toBe(1);
    expect(counter.total()).toBe(4);
    expect(gauge.get('0')).toBe(5);
    expect(plain.value).toBe(4);
    expect(histogram.labels('a')).toMatchObject({ count: 2, sum: 2.5 });
    const families = parse(await registry.render());
    expect(families.get('r_total')?.samples.map((s) => s.value)).toEqual([3, 1]);
    expect(families.get('h')?.samples.find((s) => s.name === 'h_count')?.value).toBe(2);
  });

  it('removes a gauge series from the scrape; its child shows it again on the next set', async () => {
    const registry = createRegistry();
    const gauge = registry.gauge({ name: 'lag', help: 'l', labelNames: ['topic', 'partition'] });
    const p0 = gauge.labels('t', '0');
    p0.set(5);
    gauge.labels('t', '1').set(7);
    gauge.remove('t', '0');
    expect(parse(await registry.render()).get('lag')?.samples).toEqual([
      { name: 'lag', labels: { topic: 't', partition: '1' }, value: 7 },
    ]);
    expect(p0.value).toBe(0);
    p0.set(3);
    expect(
      parse(await registry.render())
        .get('lag')
        ?.samples.map((s) => s.value),
    ).toEqual([7, 3]);
    gauge.remove('t', 'never');
    expect(() => gauge.remove('t')).toThrow(/expected 2 label values/);
  });

  it('ignores values prom-client would throw on', async () => {
    const registry = createRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'c' });
    const histogram = registry.histogram({ name: 'h', help: 'h', buckets: [1] });
    counter.inc(Number.POSITIVE_INFINITY);
    histogram.observe(Number.NaN);
    histogram.observe(Number.POSITIVE_INFINITY);
    expect(counter.value).toBe(0);
    expect(histogram.count).toBe(0);
  });

  it('escapes label values and help text', async () => {
    const registry = createRegistry();
    const gauge = registry.gauge({
      name: 'odd',
      help: 'back\\slash and\nnewline',
      labelNames: ['v'],
    });
    const nasty = 'quote " backslash \\ newline \n end';
    gauge.labels(nasty).set(1.5);
    const text = await registry.render();
    expect(text).toContain('# HELP odd back\\\\slash and\\nnewline\n');
    const family = parse(text).get('odd');
    expect(family?.help).toBe('back\\slash and\nnewline');
    expect(family?.samples[0]).toEqual({ name: 'odd', labels: { v: nasty }, value: 1.5 });
  });

  it('renders histograms with inclusive cumulative buckets, sum and count', async () => {
    const registry = createRegistry();
    const h = registry.histogram({
      name: 'latency_seconds',
      help: 'Latency.',
      labelNames: ['route'],
      buckets: [0.1, 0.5, 1],
    });
    const child = h.labels('/a');
    for (const v of [0.05, 0.1, 0.3, 0.5, 0.7, 3]) child.observe(v);

    const family = parse(await registry.render()).get('latency_seconds');
    expect(family?.type).toBe('histogram');
    const buckets = family?.samples
      .filter((s) => s.name === 'latency_seconds_bucket')
      .map((s) => [s.labels.le, s.value]);
    expect(buckets).toEqual([
      ['0.1', 2],
      ['0.5', 4],
      ['1', 5],
      ['+Inf', 6],
    ]);
    const sum = family?.samples.find((s) => s.name === 'latency_seconds_sum');
    expect(sum?.value).toBeCloseTo(4.65);
    expect(family?.samples.find((s) => s.name === 'latency_seconds_count')?.value).toBe(6);
  });

  it('reads collected values at render time', async () => {
    const registry = createRegistry();
    let size = 3;
    registry.gauge({ name: 'size', help: 'Size.', collect: (set) => set(size) });
    registry.counter({
      name: 'drops_total',
      help: 'Drops.',
      labelNames: ['cause'],
      collect: (set) => {
        set(size * 2, 'a');
        set(1, 'b');
      },
    });
    expect(parse(await registry.render()).get('size')?.samples[0]?.value).toBe(3);
    size = 10;
    const families = parse(await registry.render());
    expect(families.get('size')?.samples[0]?.value).toBe(10);
    expect(families.get('drops_total')?.samples.map((s) => [s.labels.cause, s.value])).toEqual([
      ['a', 20],
      ['b', 1],
    ]);
  });

  it('rejects bad names, reserved labels, duplicates and unordered buckets', async () => {
    const registry = createRegistry();
    expect(() => registry.counter({ name: '1abc', help: 'x.' })).toThrow(/metric name/);
    expect(() => registry.counter({ name: 'ok_total', help: 'x.', labelNames: ['le'] })).toThrow();
    expect(() => registry.gauge({ name: 'g', help: 'x.', labelNames: ['a-b'] })).toThrow();
    expect(() => registry.gauge({ name: 'g', help: 'x.', labelNames: ['a', 'a'] })).toThrow();
    registry.histogram({ name: 'h', help: 'x.', buckets: [1] });
    expect(() => registry.counter({ name: 'h_count', help: 'x.' })).toThrow(/twice/);
    expect(() => registry.histogram({ name: 'x', help: 'x.', buckets: [2, 1] })).toThrow(
      /increasing/,
    );
    expect(() => registry.histogram({ name: 'y', help: 'x.', buckets: [] })).toThrow();
  });
});
