import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../test/parse-text.ts';
import { type DelayMonitor, registerEventLoopDelay } from './event-loop.ts';
import { createRegistry } from './registry.ts';

function fakeMonitor(samples: number[] = []) {
  const state = { enabled: false, resets: 0, samples };
  const monitor: DelayMonitor = {
    enable() {
      state.enabled = true;
      return true;
    },
    disable() {
      state.enabled = false;
      return true;
    },
    reset() {
      state.resets++;
      state.samples = [];
    },
    // nearest rank over the samples (ns), as the real histogram answers
    percentile(p) {
      const sorted = [...state.samples].sort((a, b) => a - b);
      return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 511;
    },
    get count() {
      return state.samples.length;
    },
  };
  return { monitor, state };
}

async function p99(registry: ReturnType<typeof createRegistry>) {
  const parsed = parsePrometheusText(await registry.render());
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const family = parsed.families.get('orders_event_loop_delay_p99_seconds');
  expect(family?.help).toMatch(/reset at every scrape/);
  return family?.samples[0]?.value;
}

describe('registerEventLoopDelay', () => {
  it('shows the p99 since the previous scrape, less the resolution, and resets', async () => {
    const registry = createRegistry();
    // 99 intervals of 10.2 ms and one of 60 ms: p99 of the delay is 0.2 ms
    const { monitor, state } = fakeMonitor([...Array(99).fill(10.2e6), 60e6]);
    const handle = registerEventLoopDelay(registry, { monitor, resolutionMs: 10 });
    expect(state.enabled).toBe(true);
    expect(await p99(registry)).toBeCloseTo(0.0002, 6);
    expect(state.resets).toBe(1);
    state.samples = [10e6, 260e6];
    expect(await p99(registry)).toBeCloseTo(0.25, 6);
    // nothing sampled since: 0, not the empty histogram's answer
    expect(await p99(registry)).toBe(0);
    handle.stop();
    expect(state.enabled).toBe(false);
  });

  it('reads a real event loop blocked for 60 ms', async () => {
    const registry = createRegistry();
    const handle = registerEventLoopDelay(registry, { resolutionMs: 5 });
    await p99(registry);
    await new Promise((r) => setTimeout(r, 20));
    const until = Date.now() + 60;
    while (Date.now() < until) {}
    await new Promise((r) => setTimeout(r, 20));
    const value = (await p99(registry)) ?? 0;
    handle.stop();
    expect(value).toBeGreaterThan(0.04);
    expect(value).toBeLessThan(1);
  });
});
