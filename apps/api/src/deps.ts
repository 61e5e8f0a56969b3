import type { OrderStore, StoredOrder } from '@orders/store';
import type { Tracing } from '@orders/tracing';
import type { AdminDeps } from './admin/deps.ts';
import type { ApiMetrics } from './api-metrics.ts';
import type { ApiLogger } from './http-error.ts';
import type { OrderSummary } from './order-summary.ts';
import type { StatsSnapshot } from './stats.ts';

/** Reads orders from PostgreSQL; implemented by the ingest app (the API never imports pg). */
export type OrderReader = {
  /** The stored orders among `uids` (distinct), in any order, absent ones left out: one query. */
  getByUids(uids: string[]): Promise<StoredOrder[]>;
  /** The stored orders among `ids` (distinct), in any order, absent ones left out: one query. */
  getByIds(ids: number[]): Promise<StoredOrder[]>;
  /**
   * The summaries (order-summary.ts) of the newest orders, newest first (by id), at most `limit`:
   * one query that reads the summary's fields only, never the whole order.
   */
  recent(limit: number, options?: RecentReadOptions): Promise<OrderSummary[]>;
};

/** How long a `recent` read may take, and when to stop it early. */
export type RecentReadOptions = {
  /**
   * The read's whole budget, from the call: waiting for a connection plus the query. The query
   * must end on the server within it too (a `statement_timeout`), not only stop being awaited.
   */
  timeoutMs: number;
  /**
   * Aborted when no caller waits any longer (the budget ran out, or every client went away): a
   * read still waiting for a connection must not start its query.
   */
  signal: AbortSignal;
};

/**
 * `GET /orders/search` over every stored order (not only those in memory); implemented by ingest
 * over PostgreSQL's indexed columns. At least one of the four conditions is set.
 */
export type OrderSearch = (
  query: OrderSearchQuery,
  options: RecentReadOptions,
) => Promise<OrderSearchPage>;

export type OrderSearchQuery = {
  trackNumber?: string;
  customerId?: string;
  /** date_created at or after / strictly before, ISO 8601 UTC with µs (admin/instant.ts) */
  from?: string;
  to?: string;
  limit: number;
  /** orders strictly after this position (older) */
  after?: OrderSearchPosition;
};

/** A page's last order in (date_created DESC, id DESC) order; date_created µs since the epoch. */
export type OrderSearchPosition = { dateCreatedMicros: bigint; id: number };

export type OrderSearchPage = {
  orders: OrderSummary[];
  /** the last order's position when more follow, else null */
  next: OrderSearchPosition | null;
};

export type Readiness = () => { ready: boolean; reasons: string[] };

export type ReadThroughTuning = {
  /** How long a "not in PostgreSQL" answer is reused, counted from the query's start (ms). */
  negativeTtlMs?: number;
  /** Most remembered not-found keys (oldest dropped first). */
  negativeMaxEntries?: number;
  /** A read not answered within this, waiting for a query slot included, fails with 503 (ms). */
  timeoutMs?: number;
  /** PostgreSQL queries at once (pool connections reads may hold); other misses wait and batch. */
  maxQueries?: number;
  /** Most keys in one query (`= ANY($1)`). */
  maxBatchKeys?: number;
  /** Most keys waiting for a query; beyond it a miss gets 503 at once (a pathological backlog). */
  maxQueuedKeys?: number;
  /**
   * How long a `/orders/recent` list read from PostgreSQL is reused, counted from its query's start
   * (ms); 0 = single flight only.
   */
  recentTtlMs?: number;
};

export type ApiDeps = {
  /** The memory store this process fills (ingest) and restores at start. */
  store: OrderStore;
  /** PostgreSQL, for what memory does not hold (evicted, or consumed by another instance). */
  reader: OrderReader;
  /** `/readyz`: ready once memory is restored, the consumer joined its group and PostgreSQL answers. */
  readiness: Readiness;
  metrics: ApiMetrics;
  /** SERVER_GET_ORDER_BY_ID: `true` → `GET /orders?id=` is the numeric id; `false` → an order_uid. */
  getOrderById: boolean;
  /** `/stats`; defaults to counters read from `metrics` and `store`. */
  stats?: () => StatsSnapshot;
  /** Where 5xx causes are logged; defaults to one JSON line on stderr. */
  logger?: ApiLogger;
  readThrough?: ReadThroughTuning;
  /** `/orders/search`; without it the path is an order_uid lookup like any other. */
  search?: OrderSearch;
  /**
   * The admin API (`/dead-letters…`, apps/api/README.md "Admin API"): mounted when given with at
   * least one token (ADMIN_TOKENS); otherwise every admin path answers 404.
   */
  admin?: AdminDeps;
  now?: () => number;
  /** a server span per request when `enabled` (request-tracing.ts); off: no extra step */
  tracing?: Tracing;
};
