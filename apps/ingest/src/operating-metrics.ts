// Ingest's operating families (what an operator alerts on, as Kafka Connect exposes per task): the
// last error of each kind, records in flight, the write and commit of each batch, the time paused
// for PostgreSQL, rebalances, pool waiters, readiness and freshness. Recorded per batch or per
// event, never per message, but for freshness (one observe per servable order, ~0.2 µs).
import type { Registry } from '@orders/metrics';

/** What failed: PostgreSQL (a batch, a ping, a migration), Kafka (client, commit), the DLQ outbox. */
export type ErrorKind = 'postgres' | 'kafka' | 'dead_letter_publish';
export const ERROR_KINDS: readonly ErrorKind[] = ['postgres', 'kafka', 'dead_letter_publish'];

/** A pool as the gauge reads it (pg.Pool's waitingCount, through db.ts). */
export type PoolSource = { waitingCount(): number };

export type OperatingMetrics = {
  /** an error of this kind happened now */
  error(kind: ErrorKind): void;
  /** messages handed to the pipeline (+n) or done with, written or given back (−n) */
  inFlight(delta: number): void;
  /** the PostgreSQL transaction of one batch */
  batchWrite(seconds: number): void;
  /** the Kafka offset commit after it */
  batchCommit(seconds: number): void;
  /** consumption paused (true) or resumed (false) because PostgreSQL is failing */
  paused(on: boolean): void;
  /** this member joined its group after a rebalance that took `seconds` (join + sync) */
  rebalanced(seconds: number): void;
  /** orders now servable from memory, with their record timestamps (epoch ms, as kafkajs gives) */
  servable(orders: readonly { timestamp: string }[]): void;
  /** the pools whose waiting clients are shown, by `pool` label (last call wins) */
  trackPools(pools: Record<string, PoolSource>): void;
  /** what /readyz answers (last call wins) */
  trackReadiness(ready: () => boolean): void;
};

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REBALANCE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const FRESHNESS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export function createOperatingMetrics(
  r: Registry,
  options: { now?: () => number } = {},
): OperatingMetrics {
  const now = options.now ?? Date.now;
  const lastError = r.gauge({
    name: 'orders_last_error_timestamp_seconds',
    help: 'Unix time of the last error of each kind (0: none since start): postgres (a batch write, a ping, a migration), kafka (the consumer crashed, an offset commit failed), dead_letter_publish (the outbox).',
    labelNames: ['kind'],
  });
  const errors = {} as Record<ErrorKind, ReturnType<typeof lastError.labels>>;
  for (const kind of ERROR_KINDS) errors[kind] = lastError.labels(kind);
  const inFlight = r.gauge({
    name: 'orders_records_in_flight',
    help: 'Messages handed to the pipeline and not yet written to PostgreSQL and committed (or given back for a retry).',
  });
  const write = r
    .histogram({
      name: 'orders_batch_write_duration_seconds',
      help: 'The PostgreSQL transaction of one batch (offset, upsert, ledger), successful or not.',
      buckets: SECONDS_BUCKETS,
    })
    .labels();
  const commit = r
    .histogram({
      name: 'orders_batch_commit_duration_seconds',
      help: "The Kafka offset commit after a batch's PostgreSQL transaction.",
      buckets: SECONDS_BUCKETS,
    })
    .labels();

  let pausedSince: number | undefined;
  let pausedMs = 0;
  r.gauge({
    name: 'orders_postgres_paused',
    help: 'Consumption paused (1) because PostgreSQL is failing: batches retry with backoff.',
    collect: (set) => set(pausedSince === undefined ? 0 : 1),
  });
  r.counter({
    name: 'orders_postgres_paused_seconds_total',
    help: 'Time consumption spent paused because PostgreSQL was failing.',
    collect: (set) =>
      set((pausedMs + (pausedSince === undefined ? 0 : now() - pausedSince)) / 1000),
  });

  const rebalances = r.counter({
    name: 'orders_rebalances_total',
    help: 'Consumer group rebalances this instance went through (each group join, the first one included).',
  });
  const rebalanceSeconds = r
    .histogram({
      name: 'orders_rebalance_duration_seconds',
      help: 'Time this instance spent in the join and sync of each rebalance (not consuming).',
      buckets: REBALANCE_BUCKETS,
    })
    .labels();

  let pools: Record<string, PoolSource> = {};
  r.gauge({
    name: 'orders_pg_pool_waiting_clients',
    help: 'Queries waiting for a connection of a PostgreSQL pool (ingest: batch writers and reads, admin, search).',
    labelNames: ['pool'],
    collect: (set) => {
      for (const [name, pool] of Object.entries(pools)) set(pool.waitingCount(), name);
    },
  });
  let ready: () => boolean = () => false;
  r.gauge({
    name: 'orders_ready',
    help: 'What /readyz answers: 1 ready, 0 not (memory restored, group joined, PostgreSQL answering, not paused).',
    collect: (set) => set(ready() ? 1 : 0),
  });
  const freshness = r
    .histogram({
      name: 'orders_freshness_seconds',
      help: "From a Kafka record's timestamp to the moment its order is servable from memory (after the batch's COMMIT).",
      buckets: FRESHNESS_BUCKETS,
    })
    .labels();

  return {
    error(kind) {
      errors[kind].set(now() / 1000);
    },
    inFlight(delta) {
      inFlight.inc(delta);
    },
    batchWrite: (seconds) => write.observe(seconds),
    batchCommit: (seconds) => commit.observe(seconds),
    paused(on) {
      if (on && pausedSince === undefined) pausedSince = now();
      if (!on && pausedSince !== undefined) {
        pausedMs += now() - pausedSince;
        pausedSince = undefined;
      }
    },
    rebalanced(seconds) {
      rebalances.inc();
      rebalanceSeconds.observe(seconds);
    },
    servable(orders) {
      const at = now();
      // a producer clock ahead of ours gives a negative age: counted as 0, not dropped
      for (const o of orders) freshness.observe(Math.max(0, at - Number(o.timestamp)) / 1000);
    },
    trackPools(p) {
      pools = p;
    },
    trackReadiness(fn) {
      ready = fn;
    },
  };
}
