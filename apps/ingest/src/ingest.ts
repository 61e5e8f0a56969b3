// createIngest: the whole service as one object (database, memory store, HTTP API, consumer),
// started and stopped in order. main.ts only adds env, signals and exit codes, so tests can run
// the real service in-process.
import { createApiMetrics } from '@orders/api';
import type { Config } from '@orders/config';
import {
  createGroupConsumer,
  createKafka,
  ensureTopics,
  type GroupConsumer,
  type KafkaSettings,
} from '@orders/kafka';
import { createRegistry, registerEventLoopDelay, registerProcessMetrics } from '@orders/metrics';
import { createOrderStore, type OrderStore } from '@orders/store';
import { createTracing, noopTracing, type Tracing } from '@orders/tracing';
import { traceLedger } from './batch-trace.ts';
import { createDb, type Db } from './db.ts';
import { type DeadLetterTopic, startDeadLetterTopic } from './dead-letter-topic.ts';
import { type DemoProducer, startDemoProducer } from './demo-producer.ts';
import { type HttpServer, startHttpServer } from './http-server.ts';
import { createLogger, errorFields, type Logger } from './logger.ts';
import { createMemoryGate } from './memory-gate.ts';
import { createIngestMetrics, type IngestMetrics } from './metrics.ts';
import { migrate } from './migrations.ts';
import { createOffsetsRepo } from './offsets-repo.ts';
import { createOrdersRepo, type OrdersRepo } from './orders-repo.ts';
import { createPipeline, type Pipeline } from './pipeline.ts';
import { createPositions, lagFromPostgres } from './positions.ts';
import { createPostgresProbe } from './postgres-probe.ts';
import { readiness } from './readiness.ts';
import { createRedrive, type RedriveTuning } from './redrive/wiring.ts';
import { type SearchFill, startSearchFill } from './search-fill.ts';
import { createServedApp } from './served-app.ts';

export type IngestDeps = {
  logger?: Logger;
  /** test hook, see pipeline.afterCommit */
  afterCommit?(batchNumber: number): void;
  /** test hook: dead letters on the topic, not yet marked published in the ledger */
  afterDlqPublish?(): void;
  /** called when the consumer crashed for good: main exits non-zero */
  onFatal?(err: Error): void;
  /** kafkajs ssl option, already resolved from config (files read) by the caller */
  kafkaSsl?: KafkaSettings['ssl'];
  /** the environment the demo producer (KAFKA_WRITE_EXAMPLES) runs with; default process.env */
  env?: NodeJS.ProcessEnv;
  /** how often consumer lag is sampled from admin offsets; 0 disables */
  lagIntervalMs?: number;
  /** redrive runner tuning and test hooks (lease, poll, afterChunkCommit) */
  redrive?: RedriveTuning;
  /**
   * Spans of batches, writes, dead letters and requests. Default: made at start from
   * config.tracing (the no-op without OTEL_EXPORTER_OTLP_ENDPOINT) and shut down, flushed, at
   * stop; one passed here is the caller's to shut down.
   */
  tracing?: Tracing;
};

export type Ingest = {
  start(): Promise<void>;
  /** graceful: stop fetching, finish + commit the in-flight batch, close HTTP, end the pool */
  stop(deadlineMs?: number): Promise<void>;
  readonly store: OrderStore;
  readonly metrics: IngestMetrics;
  readonly repo: OrdersRepo;
  readonly db: Db;
  /** the port HTTP listens on (useful with SERVER_PORT=0) */
  port(): number;
  isReady(): boolean;
  status(): IngestStatus;
};

export type IngestStatus = {
  restored: boolean;
  joined: boolean;
  degraded: boolean;
  partitions: number[];
};

const RETRY_START_MS = 2_000;

export function createIngest(config: Config, deps: IngestDeps = {}): Ingest {
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const db = createDb({
    connectionString: config.postgres.connectionString,
    max: config.postgres.poolMax,
    logger: logger.child({ component: 'postgres' }),
  });
  const repo = createOrdersRepo(db);
  const offsets = createOffsetsRepo(db);
  const positions = createPositions({
    offsets,
    groupId: config.kafka.groupId,
    topic: config.kafka.topic,
  });
  const store = createOrderStore({
    maxOrders: config.memory.maxOrders,
    maxBytes: config.memory.maxBytes,
    maxAgeMs: config.memory.maxAgeMs,
  });
  // one registry per process, rendered at /metrics: ingest's families, the API's, the process's
  const registry = createRegistry();
  const metrics = createIngestMetrics({ registry, topic: config.kafka.topic });
  const redrive = createRedrive({
    db,
    config,
    registry,
    logger,
    kafkaSsl: deps.kafkaSsl,
    tuning: deps.redrive,
  });
  const apiMetrics = createApiMetrics({ registry, ingest: metrics.snapshot });
  apiMetrics.trackStore(store);
  registerProcessMetrics(registry);
  const eventLoop = registerEventLoopDelay(registry);
  const state = { joined: false, partitions: [] as number[] };
  // /readyz is synchronous: PostgreSQL reachability is sampled in the background
  const postgres = createPostgresProbe({
    ping: async () => {
      const ok = await db.ping();
      if (!ok) metrics.error('postgres');
      return ok;
    },
    initial: true,
  });
  let postgresStarted = false;
  const postgresOk = () => postgresStarted && postgres.ok();
  let stopping = false;
  const memory = createMemoryGate({
    repo,
    store,
    limits: config.memory,
    restore: config.memory.restore,
    logger,
    isStopping: () => stopping,
  });
  let joinedOnce: () => void = () => {};
  const firstJoin = new Promise<void>((r) => {
    joinedOnce = r;
  });
  let stopRequested: () => void = () => {};
  const stopSignal = new Promise<void>((r) => {
    stopRequested = r;
  });

  let http: HttpServer | undefined;
  let consumer: GroupConsumer | undefined;
  let deadLetters: DeadLetterTopic | undefined;
  let pipeline: Pipeline | undefined;
  const timers: NodeJS.Timeout[] = [];
  let demo: DemoProducer | undefined;
  let searchFill: SearchFill | undefined;
  let tracing: Tracing = deps.tracing ?? noopTracing;

  const lostGroup = () => {
    state.joined = false;
    metrics.error('kafka');
    metrics.owned([]);
    memory.lost();
  };
  const isDegraded = () => pipeline?.isDegraded() ?? false;
  const ready = () =>
    readiness({
      restored: memory.restored(),
      joined: state.joined,
      postgresOk: postgresOk(),
      degraded: isDegraded(),
      failingPartitions: pipeline?.failingPartitions() ?? [],
    });

  const served = createServedApp({
    config,
    logger,
    store,
    repo,
    metrics: apiMetrics,
    readiness: ready,
    redrive: redrive.service,
  });
  metrics.trackReadiness(() => ready().ready);
  metrics.trackPools({ ingest: db, admin: served.adminDb, search: served.searchDb });

  async function untilMigrated(): Promise<void> {
    // PostgreSQL may still be starting (compose, CI): retry rather than exit.
    let logged = false;
    for (;;) {
      try {
        await migrate(db);
        return;
      } catch (err) {
        if (stopping) throw err;
        metrics.error('postgres');
        if (!logged) logger.warn('postgres not reachable at start, retrying', errorFields(err));
        logged = true;
        await new Promise((r) => setTimeout(r, RETRY_START_MS));
      }
    }
  }

  let starting: Promise<void> | undefined;
  // stop() during start: the start sequence ends at its next step instead of creating a consumer
  // after the pool is gone
  const checkNotStopping = () => {
    if (stopping) throw new Error('ingest stopped during start');
  };

  function start(): Promise<void> {
    starting ??= startSequence();
    return starting;
  }

  async function startSequence(): Promise<void> {
    logger.info('starting ingest', {
      topic: config.kafka.topic,
      groupId: config.kafka.groupId,
      postgres: `${config.postgres.host}:${config.postgres.port}/${config.postgres.database}`,
    });
    if (!deps.tracing) tracing = await createTracing(config.tracing, 'orders-ingest');
    if (tracing.enabled)
      logger.info('tracing on', {
        sampler: config.tracing.sampler,
        ratio: config.tracing.samplerArg,
      });
    const app = served.app(tracing);
    http = await startHttpServer({
      fetch: app.fetch,
      host: config.server.host,
      port: config.server.port,
      headersTimeoutMs: config.server.headersTimeoutMs,
      requestTimeoutMs: config.server.requestTimeoutMs,
      keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
    });
    logger.info('http listening', { host: config.server.host, port: http.port });

    await untilMigrated();
    checkNotStopping();
    postgresStarted = true;
    postgres.start();

    const kafka = createKafka({
      brokers: config.kafka.brokers,
      clientId: 'orders-ingest',
      ssl: deps.kafkaSsl,
      sasl: config.kafka.sasl,
      log: logger.child({ component: 'kafkajs' }),
      retry: { initialRetryTimeMs: 300, retries: 10, maxRetryTimeMs: 5_000 },
    });
    const created = await ensureTopics(kafka, {
      brokers: config.kafka.brokers,
      topic: config.kafka.topic,
      dlqTopic: config.kafka.dlqTopic,
      partitions: config.kafka.topicPartitions,
      replicationFactor: config.kafka.replicationFactor,
    });
    if (created.created.length > 0) logger.info('created topics', { topics: created.created });
    checkNotStopping();
    const letters = await startDeadLetterTopic({
      kafka,
      db,
      config,
      owned: () => state.partitions,
      metrics,
      logger,
      tracing,
      ...(deps.afterDlqPublish ? { afterPublish: deps.afterDlqPublish } : {}),
    });
    deadLetters = letters;
    checkNotStopping();
    pipeline = createPipeline({
      db,
      repo,
      offsets,
      ledger: traceLedger(letters.ledger, tracing),
      positions,
      groupId: config.kafka.groupId,
      store,
      metrics,
      logger,
      maxMessageBytes: config.kafka.maxMessageBytes,
      upsertChunk: config.ingest.batchSize,
      redrives: redrive.step,
      afterCommit: deps.afterCommit,
      onLetters: letters.outbox.wake,
      tracing,
    });
    const p = pipeline;
    consumer = createGroupConsumer({
      kafka,
      groupId: config.kafka.groupId,
      topic: config.kafka.topic,
      partitionsConsumedConcurrently: config.ingest.partitionsConcurrency,
      maxBytesPerPartition: config.kafka.fetchMaxBytesPerPartition,
      sessionTimeout: config.kafka.sessionTimeoutMs,
      logger,
      // every assigned partition resumes where PostgreSQL says (positions.ts)
      positionOnJoin: (partitions) => positions.onJoin(partitions),
      onBatch: async (batch) => {
        await memory.beforeBatch();
        // a start that failed or was stopped during a restore: leave the batch unresolved
        if (stopping) return;
        await p.processBatch(batch);
      },
      onJoin: ({ memberId, partitions, durationMs }) => {
        state.joined = true;
        state.partitions = partitions;
        metrics.owned(partitions);
        metrics.rebalanced(durationMs / 1000);
        memory.joined(memberId, partitions);
        // No batch is in flight at a join (kafkajs finishes them before rejoining). kafkajs keeps
        // the pauses of failing partitions across the rejoin: resume them all now, without
        // waiting for their backoff (a sink still down pauses them again).
        p.resetDegraded();
        consumer?.resumeAll();
        // letters of partitions new to this instance that their previous owner had not published
        deadLetters?.outbox.wake();
        joinedOnce();
      },
      // kafkajs leaves the group and rejoins as a new member: the partitions go elsewhere now
      onCrash: lostGroup,
      onFatal: (err) => {
        lostGroup();
        deps.onFatal?.(err);
      },
    });
    try {
      await consumer.start();
      checkNotStopping();
      // batches wait for the first restore (memory-gate.ts)
      if (config.memory.restore) {
        await Promise.race([firstJoin, stopSignal]);
        checkNotStopping();
        await memory.restoreFirst();
        checkNotStopping();
      }
    } finally {
      memory.open();
    }
    // the search columns' indexes and older rows, in the background once memory is restored (an
    // index build or the fill competing with the restore made it several times slower)
    searchFill = startSearchFill(served.searchDb, { logger, isStopping: () => stopping });

    if (config.memory.cleanupIntervalMs > 0) {
      timers.push(
        setInterval(() => {
          const removed = store.removeExpired();
          if (removed > 0) logger.info('expired orders dropped from memory', { removed });
        }, config.memory.cleanupIntervalMs),
      );
    }
    const lagEvery = deps.lagIntervalMs ?? 10_000;
    if (lagEvery > 0) {
      const c = consumer;
      timers.push(
        setInterval(() => {
          lagFromPostgres(c, offsets, config.kafka, state.partitions).then(metrics.lag, (err) =>
            logger.debug('lag sample failed', errorFields(err)),
          );
        }, lagEvery),
      );
    }
    for (const t of timers) t.unref();
    redrive.start(kafka);

    if (config.ingest.writeExamples) {
      demo = startDemoProducer({ topic: config.kafka.topic, env: deps.env ?? process.env, logger });
    }
  }

  async function stop(deadlineMs = 10_000): Promise<void> {
    if (stopping) return;
    stopping = true;
    stopRequested();
    postgres.stop();
    eventLoop.stop();
    for (const t of timers) clearInterval(t);
    const started = Date.now();
    // let a start in progress reach its next step (it then throws) before tearing down
    if (starting) {
      await Promise.race([
        starting.catch(() => {}),
        new Promise((r) => setTimeout(r, Math.max(100, deadlineMs / 2)).unref()),
      ]);
    }
    if (demo) await demo.stop();
    const left = () => Math.max(100, deadlineMs - (Date.now() - started));
    pipeline?.stop();
    // 1. stop fetching; kafkajs waits for the in-flight batch, which resolves and commits
    if (consumer)
      await consumer.stop().catch((err) => logger.warn('consumer stop', errorFields(err)));
    if (deadLetters) await deadLetters.stop(Math.min(2_000, left() / 2));
    await redrive.stop();
    // 2. HTTP, idle keep-alive sockets included
    if (http) await http.close(left());
    // 3. the pool last: in-flight batches and read-through are done with it
    await searchFill?.stop();
    await db.end().catch(() => {});
    await served.end();
    // last: the spans of the batches and requests finished above are exported before the exit
    if (!deps.tracing) await tracing.shutdown(Math.min(3_000, left()));
    logger.info('ingest stopped', { ms: Date.now() - started });
  }

  return {
    start,
    stop,
    store,
    metrics,
    repo,
    db,
    port: () => http?.port ?? 0,
    isReady: () => ready().ready,
    status: () => ({
      restored: memory.restored(),
      joined: state.joined,
      degraded: isDegraded(),
      partitions: state.partitions,
    }),
  };
}
