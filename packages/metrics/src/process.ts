import type { Registry } from './registry.ts';

/**
 * The process's own gauges, read at scrape time: `process_start_time_seconds`,
 * `process_resident_memory_bytes`, `nodejs_heap_used_bytes` (the names Prometheus's client
 * libraries use). Registered once per process by its composition root.
 */
export function registerProcessMetrics(
  registry: Registry,
  options: { now?: () => number } = {},
): void {
  const startSeconds = (options.now ?? Date.now)() / 1000;
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    collect: (set) => set(startSeconds),
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident set size, in bytes.',
    collect: (set) => set(process.memoryUsage.rss()),
  });
  registry.gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: (set) => set(process.memoryUsage().heapUsed),
  });
}
