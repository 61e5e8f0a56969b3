import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Registry } from './registry.ts';

/** The part of node:perf_hooks' IntervalHistogram read here (a fake in tests). */
export type DelayMonitor = {
  enable(): boolean;
  disable(): boolean;
  reset(): void;
  percentile(p: number): number;
  readonly count: number;
};

export type EventLoopDelayOptions = {
  /** sampling interval, ms (default 10) */
  resolutionMs?: number;
  /** default: monitorEventLoopDelay({ resolution }) */
  monitor?: DelayMonitor;
};

/**
 * `orders_event_loop_delay_p99_seconds`: the 99th percentile of the event loop's delay since the
 * previous scrape (the histogram is reset at each). Node records the whole interval between two
 * samples, so the resolution is taken off: an idle loop reads ~0, not 10 ms. Returns a stop.
 */
export function registerEventLoopDelay(
  registry: Registry,
  options: EventLoopDelayOptions = {},
): { stop(): void } {
  const resolutionMs = options.resolutionMs ?? 10;
  const monitor = options.monitor ?? monitorEventLoopDelay({ resolution: resolutionMs });
  monitor.enable();
  registry.gauge({
    name: 'orders_event_loop_delay_p99_seconds',
    help: 'Event-loop delay, 99th percentile since the previous scrape (reset at every scrape).',
    collect: (set) => {
      // an empty histogram answers a meaningless percentile: no sample, no delay
      const p99 = monitor.count > 0 ? monitor.percentile(99) / 1e9 - resolutionMs / 1000 : 0;
      set(Math.max(0, p99));
      monitor.reset();
    },
  });
  return { stop: () => void monitor.disable() };
}
