// MEMORY_RESTORE_DATA=1: before the service reports ready, load the newest orders that fit the
// store's limits from PostgreSQL (the source of truth). Pages arrive newest first; they are put
// oldest first so the store's eviction order (oldest inserted first) matches the database's.
import type { OrderStore, StoredOrder } from '@orders/store';
import type { Logger } from './logger.ts';
import type { OrdersRepo } from './orders-repo.ts';

export type RestoreLimits = { maxOrders: number; maxBytes: number; maxAgeMs: number };

export async function restoreFromDatabase(opts: {
  repo: OrdersRepo;
  store: OrderStore;
  limits: RestoreLimits;
  logger: Logger;
  now?: number;
}): Promise<{ orders: number; bytes: number; ms: number }> {
  const started = performance.now();
  const { limits } = opts;
  const pages: StoredOrder[][] = [];
  let orders = 0;
  let bytes = 0;
  for await (const page of opts.repo.newest({
    maxOrders: limits.maxOrders,
    maxBytes: limits.maxBytes,
    minDateCreated: (opts.now ?? Date.now()) - limits.maxAgeMs,
  })) {
    pages.push(page);
    orders += page.length;
    for (const o of page) bytes += o.body.length;
  }
  for (let p = pages.length - 1; p >= 0; p--) {
    const page = pages[p] as StoredOrder[];
    for (let i = page.length - 1; i >= 0; i--) opts.store.put(page[i] as StoredOrder);
  }
  const ms = Math.round(performance.now() - started);
  opts.logger.info('memory restored from postgres', { orders, bytes, ms });
  return { orders, bytes, ms };
}
