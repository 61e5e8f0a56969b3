import type { MetricsSnapshot, StoreStatsSource } from './api-metrics.ts';

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
 * The default `/stats` source: one metrics snapshot and the store's stats per call. The ingest rate
 * comes from samples taken on each call (no timer: the API does nothing between requests).
 */
export function createStatsSource(options: {
  metrics: { snapshot(): MetricsSnapshot };
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
    const { ingest, lookups } = metrics.snapshot();
    let invalid = 0;
    for (const n of Object.values(ingest.invalidByReason)) invalid += n;
    const s = store.stats();
    return {
      at: new Date(at).toISOString(),
      uptimeSeconds: Math.max(0, Math.round((at - startedAt) / 1000)),
      ingested: { total: ingest.ingested, perSecond: rate(at, ingest.ingested) },
      invalid: { total: invalid, byReason: ingest.invalidByReason },
      deadLettered: { total: ingest.deadLettered },
      store: {
        count: s.count,
        bytes: s.bytes,
        evicted: s.evictedByCount + s.evictedByBytes,
        expired: s.expired,
      },
      lookups: {
        memory: lookups.memory,
        database: lookups.database,
        notFound: lookups.not_found + lookups.negative_cache,
        errors: lookups.error,
      },
    };
  };
}
