import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../test/parse-text.ts';
import { registerProcessMetrics } from './process.ts';
import { createRegistry } from './registry.ts';

describe('registerProcessMetrics', () => {
  it('reads the start time once and the memory figures at every scrape', async () => {
    const registry = createRegistry();
    registerProcessMetrics(registry, { now: () => 1_700_000_000_500 });
    const parsed = parsePrometheusText(await registry.render());
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const value = (name: string) => parsed.families.get(name)?.samples[0]?.value;
    expect(value('process_start_time_seconds')).toBe(1_700_000_000.5);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value('nodejs_heap_used_bytes')).toBeGreaterThan(0);
    expect([...parsed.families.values()].map((f) => f.type)).toEqual(['gauge', 'gauge', 'gauge']);
  });
});
