// The API as ingest serves it: the order routes over the memory store and PostgreSQL, the search,
// and the admin API when ADMIN_TOKENS is set. The search and the admin reads each get a pool of
// their own (connected on first use), so a searcher's or an operator's query never holds one of
// the batch writers' connections.
import { type ApiDeps, type ApiMetrics, createApp, type RedriveService } from '@orders/api';
import type { Config } from '@orders/config';
import type { OrderStore } from '@orders/store';
import type { Tracing } from '@orders/tracing';
import type { Hono } from 'hono';
import type { Db } from './db.ts';
import { createAdminDb, createDeadLetterReads } from './dead-letter-reads.ts';
import type { Logger } from './logger.ts';
import { createOrderSearch, createSearchDb } from './order-search.ts';
import type { OrdersRepo } from './orders-repo.ts';

export type ServedAppOptions = {
  config: Config;
  logger: Logger;
  store: OrderStore;
  repo: OrdersRepo;
  metrics: ApiMetrics;
  readiness: ApiDeps['readiness'];
  redrive: RedriveService;
};

export type ServedApp = {
  /** the Hono app (no I/O until a request comes); a request span each when tracing is on */
  app(tracing?: Tracing): Hono;
  /** the search pool, which the search fill uses too */
  readonly searchDb: Db;
  /** the admin API's pool (its waiting clients are a metric) */
  readonly adminDb: Db;
  /** ends both pools */
  end(): Promise<void>;
};

export function createServedApp(o: ServedAppOptions): ServedApp {
  const { config, logger } = o;
  const adminDb = createAdminDb(
    config.postgres.connectionString,
    logger.child({ component: 'admin' }),
  );
  const searchDb = createSearchDb(
    config.postgres.connectionString,
    logger.child({ component: 'search' }),
  );
  return {
    searchDb,
    adminDb,
    app: (tracing) =>
      createApp({
        ...(tracing ? { tracing } : {}),
        store: o.store,
        reader: o.repo,
        search: createOrderSearch(searchDb),
        metrics: o.metrics,
        getOrderById: config.server.getOrderById,
        readiness: o.readiness,
        logger: {
          error: (msg: string, fields?: Record<string, unknown>) => logger.error(msg, fields),
        },
        // without ADMIN_TOKENS the admin API is not mounted (every admin path 404)
        ...(config.admin.tokens.length > 0
          ? {
              admin: {
                tokens: config.admin.tokens,
                deadLetters: createDeadLetterReads(adminDb),
                maxMessageBytes: config.kafka.maxMessageBytes,
                redrive: o.redrive,
              },
            }
          : {}),
      }),
    async end() {
      await adminDb.end().catch(() => {});
      await searchDb.end().catch(() => {});
    },
  };
}
