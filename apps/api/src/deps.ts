import type { OrderStore, StoredOrder } from '@orders/store';
import type { ApiLogger } from './http-error.ts';
import type { Metrics } from './metrics/index.ts';
import type { StatsSnapshot } from './stats.ts';

/** Reads orders from PostgreSQL; implemented by the ingest app (the API never imports pg). */
export type OrderReader = {
  getByUid(uid: string): Promise<StoredOrder | undefined>;
  getById(id: number): Promise<StoredOrder | undefined>;
  /** Newest first (by id), at most `limit`. */
  recent(limit: number): Promise<StoredOrder[]>;
};

export type Readiness = () => { ready: boolean; reasons: string[] };

export type ReadThroughTuning = {
  /** How long a "not in PostgreSQL" answer is reused, counted from the query's start (ms). */
  negativeTtlMs?: number;
  /** Most remembered not-found keys (oldest dropped first). */
  negativeMaxEntries?: number;
  /** A reader query slower than this fails the lookup with 503 (ms). */
  timeoutMs?: number;
  /** Most distinct keys queried at once; more misses get 503 at once instead of queueing. */
  maxInFlight?: number;
};

export type ApiDeps = {
  /** The memory store this process fills (ingest) and restores at start. */
  store: OrderStore;
  /** PostgreSQL, for what memory does not hold (evicted, or consumed by another instance). */
  reader: OrderReader;
  /** `/readyz`: ready once memory is restored, the consumer joined its group and PostgreSQL answers. */
  readiness: Readiness;
  metrics: Metrics;
  /** SERVER_GET_ORDER_BY_ID: `true` → `GET /orders?id=` is the numeric id; `false` → an order_uid. */
  getOrderById: boolean;
  /** `/stats`; defaults to counters read from `metrics` and `store`. */
  stats?: () => StatsSnapshot;
  /** Where 5xx causes are logged; defaults to one JSON line on stderr. */
  logger?: ApiLogger;
  readThrough?: ReadThroughTuning;
  now?: () => number;
};
