// MEMORY_RESTORE_DATA=1: before the service reports ready, load the newest orders that fit the
// store's limits from PostgreSQL (the source of truth). Pages arrive oldest first and are put as
// they come, so the store's eviction order (oldest put first) matches the database's and only a
// page or two is held besides the store (holding every page before putting cost ~3x the bodies in
// RSS in bench/restore-probe.ts).
//
// `partitions`: only the orders whose stored version came from these Kafka partitions (the ones
// this instance was assigned). ingest.ts restores after its first group join, so an instance never
// holds another instance's partitions, whose updates it would not see.
import type { OrderStore } from '@orders/store';
import type { Logger } from './logger.ts';
import type { OrdersRepo } from './orders-repo.ts';

export type RestoreLimits = { maxOrders: number; maxBytes: number; maxAgeMs: number };

export async function restoreFromDatabase(opts: {
  repo: OrdersRepo;
  store: OrderStore;
  limits: RestoreLimits;
  /** only these partitions' orders (default: all) */
  partitions?: readonly number[];
  logger: Logger;
  now?: number;
  pageSize?: number;
}): Promise<{ orders: number; bytes: number; ms: number }> {
  const started = performance.now();
  const { limits } = opts;
  let orders = 0;
  let bytes = 0;
  for await (const page of opts.repo.newest({
    maxOrders: limits.maxOrders,
    maxBytes: limits.maxBytes,
    minDateCreated: (opts.now ?? Date.now()) - limits.maxAgeMs,
    ...(opts.partitions ? { partitions: opts.partitions } : {}),
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  })) {
    orders += page.length;
    for (const o of page) {
      bytes += o.body.length;
      opts.store.put(o);
    }
  }
  const ms = Math.round(performance.now() - started);
  opts.logger.info('memory restored from postgres', {
    orders,
    bytes,
    ms,
    ...(opts.partitions ? { partitions: opts.partitions } : {}),
  });
  return { orders, bytes, ms };
}
