import type { Metrics, StoreStatsSource } from './metrics/index.ts';

/** `GET /stats`: the counters behind the page's live panel. */
export type StatsSnapshot = {
  /** When the snapshot was taken (ISO 8601). */
  at: string;
  uptimeSeconds: number;
  ingested: {
    total: number;
    /** Over the /stats calls of the last 10 s; null until two of them are a second apart. */
    perSecond: number | null;
  };
  invalid: { total: number; byReason: Record<string, number> };
  deadLettered: { total: number };
  store: { count: number; bytes: number; evicted: number; expired: number };
  lookups: { memory: number; database: number; notFound: number; errors: number };
};

const RATE_WINDOW_MS = 10_000;
const MAX_SAMPLES = 64;

/**
 * The default `/stats` source: read from the shared metrics and the store. The ingest rate comes
 * from samples taken on each call (no timer: the API does nothing between requests).
 */
export function createStatsSource(options: {
  metrics: Metrics;
  store: StoreStatsSource;
  now?: () => number;
  startedAt?: number;
}): () => StatsSnapshot {
  const { metrics, store } = options;
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now() - process.uptime() * 1000;
  const samples: { at: number; total: number }[] = [];

  const rate = (at: number, total: number): number | null => {
    const last = samples.at(-1);
    if (!last || at - last.at >= 1000) samples.push({ at, total });
    // Keep the samples of the last window only (the page polls every few seconds).
    while (samples.length > MAX_SAMPLES || at - (samples[0]?.at ?? at) > RATE_WINDOW_MS) {
      samples.shift();
    }
    const first = samples[0];
    if (!first || at - first.at < 1000) return null;
    return Math.round((((total - first.total) * 1000) / (at - first.at)) * 10) / 10;
  };

  return () => {
    const at = now();
    const ingested = metrics.ordersIngested.get();
    const byReason: Record<string, number> = {};
    for (let i = 0; i < metrics.ordersInvalid.children.length; i++) {
      const reason = metrics.ordersInvalid.labelValues[i]?.[0];
      if (reason !== undefined) byReason[reason] = metrics.ordersInvalid.children[i]?.value ?? 0;
    }
    const s = store.stats();
    return {
      at: new Date(at).toISOString(),
      uptimeSeconds: Math.max(0, Math.round((at - startedAt) / 1000)),
      ingested: { total: ingested, perSecond: rate(at, ingested) },
      invalid: { total: metrics.ordersInvalid.total(), byReason },
      deadLettered: { total: metrics.ordersDeadLettered.get() },
      store: {
        count: s.count,
        bytes: s.bytes,
        evicted: s.evictedByCount + s.evictedByBytes,
        expired: s.expired,
      },
      lookups: {
        memory: metrics.lookups.memory.value,
        database: metrics.lookups.database.value,
        notFound: metrics.lookups.not_found.value + metrics.lookups.negative_cache.value,
        errors: metrics.lookups.error.value,
      },
    };
  };
}
