// One run of the fault suite: own servers, the ingest service as an owned child, the corpus sent
// with an ack log, the seeded fault schedule, quiescence, the checks, and the figures for the report.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTopicsWithLeaders, readGroupOffsets, withAdmin } from '@orders/kafka';
import { freePort } from '@orders/testing';
import { type AckProducer, startAckProducer } from './ack-producer.ts';
import { type CheckResult, check, compareServed, type ServedCheck } from './check.ts';
import { buildCorpus, countByKind } from './corpus.ts';
import { createIngestProcess, type ExitRecord } from './ingest-process.ts';
import { type FaultRecord, type InjectDeps, injectFault } from './inject.ts';
import {
  aheadOfKafka,
  createLagReader,
  fetchAll,
  isReady,
  type LedgerRead,
  metricValue,
  outboxDrained,
  readDlq,
  readLedger,
  readRows,
  scrapeMetrics,
  storedPositions,
} from './observe.ts';
import { type PoisonResult, runPoisonPhase } from './poison-phase.ts';
import { planFaults } from './schedule.ts';
import { createFaultServers } from './servers.ts';
import type { RunSettings } from './settings.ts';

export type MemoryCheck = ServedCheck & {
  storeCount: number;
  rows: number;
  /** lookups answered from PostgreSQL instead of memory while fetching every uid */
  databaseLookups: number;
};

export type SuiteResult = {
  settings: RunSettings;
  startedAt: string;
  durationMs: number;
  produceMs: number;
  /** was the corpus still being sent when the last fault began (undefined: no faults) */
  flowingAtLastFault: boolean | undefined;
  /** the code under test: ingest runs from the working tree, uncommitted changes included */
  code: { commit: string; uncommitted: string[] } | undefined;
  kindCounts: Record<string, number>;
  acked: number;
  /** of them, messages the faults sent (the zombie member's updates and invalid messages) */
  sentByFaults: number;
  failedSends: number;
  topicMessages: number;
  faults: FaultRecord[];
  lagZeroAfterLastFaultMs: number | undefined;
  check: CheckResult;
  memoryAtEnd: MemoryCheck;
  memoryAfterRestart: MemoryCheck;
  exits: ExitRecord[];
  unexpectedExits: ExitRecord[];
  /** the second instance's exits (the zombie member) */
  secondExits: ExitRecord[];
  handledByIngest: number;
  /**
   * orders_redelivered_total summed over every ingest process (each scraped before it was killed
   * or stopped, and at the end): messages handed to the pipeline below PostgreSQL's stored offset
   */
  redelivered: number;
  /** per process: its last sample of the redelivered and fenced-batch counters */
  processes: ProcessSample[];
  /** PostgreSQL's stored offsets ahead of Kafka's committed ones, summed over the ingest kills */
  aheadOfKafkaAtKills: number;
  /** ledger rows the outbox had not marked published when the ledger was read */
  ledgerUnpublished: number;
  /** lag 0 → every ledger row published (undefined: not within 60 s) */
  outboxAfterLagZeroMs: number | undefined;
  duplicateCounter: number;
  /** the poison-backlog phase (undefined when it could not run: see poisonError) */
  poison: PoisonResult | undefined;
  poisonError: string | undefined;
  failures: string[];
  extra: Record<string, unknown>;
};

export type ProcessSample = {
  pid: number;
  /** 'ingest' (the suite's) or 'second' (the zombie member's instance) */
  role: string;
  messages: number;
  duplicates: number;
  redelivered: number;
  fenced: number;
};

export type SuiteContext = {
  settings: RunSettings;
  repoRoot: string;
  home: string;
  log(line: string): void;
  /**
   * Aborted when the suite itself gets SIGTERM/SIGINT: ingest is SIGKILLed, the broker SIGKILLed,
   * PostgreSQL stopped `-m immediate`, and runSuite rejects with the abort reason.
   */
  signal?: AbortSignal;
  /** runs while ingest is up and the corpus is stored (HTTP and config abuse) */
  afterChecks?(
    ingestPort: number,
    env: Record<string, string>,
    uids: string[],
  ): Promise<Record<string, unknown>>;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const { settings, log } = ctx;
  const t0 = Date.now();
  // at the start: ingest runs from the working tree, and HEAD may move during the run
  const code = codeVersion(ctx.repoRoot);
  const runDir = join(ctx.home, `run-${settings.seed}`);
  mkdirSync(runDir, { recursive: true });
  const servers = createFaultServers({
    home: ctx.home,
    kafkaPort: settings.kafkaPort,
    pgPort: settings.pgPort,
  });
  const topic = 'orders-faults';
  const dlqTopic = `${topic}.dlq`;
  const groupId = 'orders-faults-ingest';
  const maxBytes = 256 * 1024;
  const appUrl = `postgres://orders:orders@127.0.0.1:${settings.pgPort}/orders`;

  log(`building the corpus (seed ${settings.seed}, ${JSON.stringify(settings.corpus)})`);
  const corpus = buildCorpus({
    ...settings.corpus,
    seed: settings.seed,
    partitions: settings.partitions,
    maxBytes,
  });

  log(
    `starting own Kafka on 127.0.0.1:${settings.kafkaPort} and PostgreSQL on :${settings.pgPort}`,
  );
  const ingest = createIngestProcess({
    repoRoot: ctx.repoRoot,
    nodePath: process.execPath,
    logDir: runDir,
    port: await freePort(),
    env: {},
  });
  // the zombie member's instance: same group, its own port and log
  const secondDir = join(runDir, 'second');
  mkdirSync(secondDir, { recursive: true });
  const second = createIngestProcess({
    repoRoot: ctx.repoRoot,
    nodePath: process.execPath,
    logDir: secondDir,
    port: await freePort(),
    env: {},
  });
  const poisonDir = join(runDir, 'poison');
  mkdirSync(poisonDir, { recursive: true });
  const poisonIngest = createIngestProcess({
    repoRoot: ctx.repoRoot,
    nodePath: process.execPath,
    logDir: poisonDir,
    port: await freePort(),
    env: {},
  });
  let poisonProducer: AckProducer | undefined;
  let ingestEnv: Record<string, string> = {};
  let stopping = false;
  let supervisor: NodeJS.Timeout | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let activeProducer: AckProducer | undefined;

  const body = async (): Promise<SuiteResult> => {
    await servers.start();
    const pids = servers.pids();
    log(`servers up: broker pid ${pids.broker}, PostgreSQL pid ${pids.postgres}`);
    const adminSettings = { clientId: 'orders-faults-admin', brokers: servers.brokers };
    await withAdmin(adminSettings, (admin) =>
      createTopicsWithLeaders(admin, [{ topic, partitions: settings.partitions }]),
    );

    ingestEnv = {
      LOG_LEVEL: 'info',
      POSTGRES_USER: servers.pg.user,
      POSTGRES_PASSWORD: servers.pg.password,
      POSTGRES_DB: servers.pg.database,
      DB_HOST: servers.pg.host,
      DB_PORT: String(servers.pg.port),
      KAFKA_BROKERS: servers.brokers.join(','),
      KAFKA_TOPIC: topic,
      KAFKA_DLQ_TOPIC: dlqTopic,
      KAFKA_GROUP_ID: groupId,
      KAFKA_TOPIC_PARTITIONS: String(settings.partitions),
      KAFKA_MAX_BYTES: '256KiB',
      SERVER_HOST: '127.0.0.1',
      SERVER_PORT: String(ingest.port),
      // the corpus' dates are fixed in the past (seeded): keep them all in memory
      MEMORY_MAX_AGE: '3650d',
      KAFKA_SESSION_TIMEOUT_MS: String(settings.sessionTimeoutMs),
    };
    const startIngest = (extra: Record<string, string> = {}) =>
      ingest.start({ ...ingestEnv, ...extra });
    const wrapped = { ...ingest, start: startIngest } as typeof ingest;

    let restarting = false;
    // supervisor: an exit nobody caused is recorded (a failure) and ingest restarted
    supervisor = setInterval(() => {
      if (stopping || ingest.running()) return;
      const last = ingest.exits[ingest.exits.length - 1];
      if (last && last.cause === undefined && Date.now() - last.at > 1_000 && !restarting) {
        log(`UNEXPECTED ingest exit (code ${last.code}, signal ${last.signal}); restarting it`);
        restarting = true;
        startIngest()
          .catch((err: Error) => log(`could not restart ingest: ${err.message}`))
          .finally(() => {
            restarting = false;
          });
      }
    }, 500);

    await startIngest();
    const lag = await createLagReader(servers.brokers, topic, groupId);
    const readyBy = Date.now() + 120_000;
    while (!(await isReady(ingest.port))) {
      if (Date.now() > readyBy) throw new Error('ingest never became ready (see its log)');
      await sleep(200);
    }
    log(
      `ingest ready on 127.0.0.1:${ingest.port}, pid ${ingest.pid()} (log ${join(runDir, 'ingest.log')})`,
    );

    // /metrics of each ingest process, sampled: what each processed before it died
    const handled = new Map<number, ProcessSample>();
    const sample = async (proc = ingest) => {
      const pid = proc.pid();
      const text = await scrapeMetrics(proc.port);
      if (pid === undefined || text === undefined || proc.pid() !== pid) return;
      handled.set(pid, {
        pid,
        role: proc === ingest ? 'ingest' : 'second',
        messages: metricValue(text, 'orders_ingest_batch_size_sum'),
        duplicates: metricValue(text, 'orders_duplicate_deliveries_total'),
        redelivered: metricValue(text, 'orders_redelivered_total'),
        fenced: metricValue(text, 'orders_fenced_batches_total'),
      });
    };
    const redelivered = () => [...handled.values()].reduce((s, h) => s + h.redelivered, 0);
    sampler = setInterval(() => void sample(), 300);

    const produceStarted = Date.now();
    const producer = startAckProducer({
      brokers: servers.brokers,
      topic,
      corpus,
      durationMs: settings.produceMs,
    });
    activeProducer = producer;
    log(`producing ${corpus.length} messages over ~${settings.produceMs / 1000} s`);

    const faults: FaultRecord[] = [];
    let productionOver = false;
    let paceEndedAt: number | undefined;
    void producer.done.then(() => {
      productionOver = true;
      paceEndedAt ??= Date.now();
    });
    const deps: InjectDeps = {
      ingest: wrapped,
      second,
      startSecond: () => second.start({ ...ingestEnv, SERVER_PORT: String(second.port) }),
      servers,
      lag,
      sample,
      redelivered,
      producer,
      db: {
        url: appUrl,
        groupId,
        topic,
        partitions: settings.partitions,
        port: settings.pgPort,
      },
      log,
      productionOver: () => productionOver,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      seed: settings.seed,
      aheadOfKafka: async () => {
        try {
          const stored = await storedPositions(appUrl, groupId, topic);
          return aheadOfKafka(stored, await lag.committedByPartition());
        } catch {
          return undefined;
        }
      },
    };
    if (!settings.noFaults) {
      const plan = planFaults(settings.seed, { min: 1_500, max: 5_000 });
      log(`fault schedule: ${plan.map((f) => f.kind).join(', ')}`);
      for (const f of plan) {
        await sleep(f.gapMs);
        faults.push(await injectFault(f, deps));
      }
    }
    const lastFaultAt = faults.at(-1)?.startedAt;
    // the faults are over: the rest goes at full speed (paceEndedAt stays the paced end, if any)
    const flowingAtLastFault =
      lastFaultAt === undefined
        ? undefined
        : paceEndedAt === undefined || paceEndedAt > lastFaultAt;
    producer.hurry();
    await producer.done;
    const produceMs = Date.now() - produceStarted;
    log(
      `produced: ${producer.acks.length} acked, ${producer.failedSends} failed sends retried (${produceMs} ms)`,
    );

    // quiesce: lag 0, measured from the last fault's repair (or from the end of production)
    const from = faults.at(-1)?.repairedAt ?? Date.now();
    let lagZeroAfterLastFaultMs: number | undefined;
    while (Date.now() - from < 180_000) {
      const l = await lag.lag().catch(() => -1);
      if (l === 0 && (await isReady(ingest.port))) {
        lagZeroAfterLastFaultMs = Date.now() - from;
        break;
      }
      await sleep(250);
    }
    log(
      `lag 0 ${lagZeroAfterLastFaultMs === undefined ? 'NOT reached' : `${lagZeroAfterLastFaultMs} ms after the last fault`}`,
    );
    await sample();
    // the DLQ topic is fed from the ledger after each commit: complete once the outbox caught up
    const outbox = await outboxDrained(appUrl, 60_000);
    log(
      outbox.ms === undefined
        ? `outbox: ${outbox.left} ledger rows still unpublished after 60 s`
        : `outbox: every ledger row published ${outbox.ms} ms after lag 0`,
    );

    const ends = await withAdmin(adminSettings, (admin) => readGroupOffsets(admin, groupId, topic));
    const topicMessages = ends.reduce((s, p) => s + Number(p.high - p.low), 0);

    const rows = await readRows(appUrl);
    const dlq = await readDlq(servers.brokers, dlqTopic);
    const ledger: LedgerRead = await readLedger(appUrl);
    const result = check({
      acks: producer.acks,
      rows,
      dlq,
      ledger: ledger.rows,
      unackedInvalidShas: producer.retriedInvalidShas,
      topic,
    });
    log(
      `check: ${result.stored} stored, lost ${result.lost}, unexpected ${result.unexpected}, DLQ topic ${result.dlq.distinctSourceOffsets}/${result.dlq.expected} (${result.dlq.repeatedCopies} extra copies), ledger ${result.ledger?.distinctSourceOffsets}/${result.dlq.expected} (${result.ledger?.sourceOffsetsWithCopies} source offsets with more than one row)`,
    );

    const memoryCheck = async (): Promise<MemoryCheck> => {
      const before = (await scrapeMetrics(ingest.port)) ?? '';
      const served = await fetchAll(
        ingest.port,
        rows.map((r) => r.uid),
      );
      const after = (await scrapeMetrics(ingest.port)) ?? '';
      const lookups = (t: string) =>
        metricValue(t, 'orders_read_through_lookups_total', { result: 'database' });
      return {
        ...compareServed(rows, served),
        storeCount: metricValue(after, 'orders_store_orders'),
        rows: rows.length,
        databaseLookups: lookups(after) - lookups(before),
      };
    };
    const memoryAtEnd = await memoryCheck();
    log(
      `memory vs PostgreSQL: ${memoryAtEnd.storeCount} in memory, ${memoryAtEnd.mismatched} differ, ${memoryAtEnd.missing} missing`,
    );

    // restart: memory rebuilt from PostgreSQL must serve the same bytes
    await sample();
    await ingest.signal('SIGTERM', 'restart check');
    await startIngest();
    while (!(await isReady(ingest.port))) await sleep(200);
    const memoryAfterRestart = await memoryCheck();
    log(
      `after restart: ${memoryAfterRestart.storeCount} in memory, ${memoryAfterRestart.mismatched} differ, ${memoryAfterRestart.missing} missing`,
    );

    const extra =
      (await ctx.afterChecks?.(
        ingest.port,
        ingestEnv,
        rows.map((r) => r.uid),
      )) ?? {};

    stopping = true;
    clearInterval(supervisor);
    await sample();
    clearInterval(sampler);
    await ingest.signal('SIGTERM', 'end of run');
    await lag.close();

    // the poison backlog: its own topic, group, database and ingest, on the same servers
    let poison: PoisonResult | undefined;
    let poisonError: string | undefined;
    try {
      poison = await runPoisonPhase({
        settings,
        servers,
        ingest: poisonIngest,
        baseEnv: ingestEnv,
        log,
        onProducer: (p) => {
          poisonProducer = p;
        },
      });
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      poisonError = (err as Error).message;
      log(`poison backlog: the phase could not complete: ${poisonError}`);
    }

    const unexpectedExits = ingest.exits.filter((e) => e.cause === undefined);
    const handledByIngest = [...handled.values()].reduce((s, h) => s + h.messages, 0);
    const duplicateCounter = [...handled.values()].reduce((s, h) => s + h.duplicates, 0);
    const redeliveredTotal = redelivered();
    // what each crash left in PostgreSQL and not yet in Kafka: an at-least-once consumer's redeliveries
    const aheadOfKafkaAtKills = faults.reduce(
      (n, f) => n + (f.kind === 'ingest-sigterm' ? 0 : (f.aheadOfKafka ?? 0)),
      0,
    );

    const failures = [...result.failures];
    const corpusAcks = producer.acks.length - producer.sentNow();
    if (corpusAcks !== corpus.length)
      failures.push(`${corpusAcks} of ${corpus.length} messages acknowledged`);
    // the issue's faults happen "while it flows": an idle pipeline at the last faults tests less
    if (flowingAtLastFault === false)
      failures.push(
        `the paced production (${settings.produceMs} ms) ended before the last fault: raise FAULTS_PRODUCE_MS`,
      );
    const memFail = (label: string, m: MemoryCheck) => {
      if (m.missing > 0 || m.mismatched > 0)
        failures.push(`${label}: ${m.missing} not served, ${m.mismatched} differ from PostgreSQL`);
      if (m.storeCount !== m.rows)
        failures.push(`${label}: memory holds ${m.storeCount}, PostgreSQL ${m.rows}`);
      if (m.databaseLookups > 0)
        failures.push(`${label}: ${m.databaseLookups} lookups were not in memory`);
    };
    memFail('memory at the end', memoryAtEnd);
    memFail('memory after a restart', memoryAfterRestart);
    if (lagZeroAfterLastFaultMs === undefined || lagZeroAfterLastFaultMs > 60_000) {
      failures.push(
        `consumer lag not 0 within 60 s of the last fault (${lagZeroAfterLastFaultMs ?? 'never'} ms)`,
      );
    }
    if (unexpectedExits.length > 0)
      failures.push(`${unexpectedExits.length} ingest exits the suite did not cause`);
    for (const f of faults) {
      if (f.recoveryMs === undefined) failures.push(`no recovery after ${f.kind}`);
      failures.push(...f.failures);
    }
    if (outbox.ms === undefined)
      failures.push(
        `the outbox left ${outbox.left} ledger rows unpublished to the dead-letter topic 60 s after lag 0`,
      );
    if (redeliveredTotal > 0)
      failures.push(
        `${redeliveredTotal} messages redelivered to the pipeline below PostgreSQL's stored offset (orders_redelivered_total)`,
      );
    if (!settings.noFaults && aheadOfKafkaAtKills === 0)
      failures.push(
        "PostgreSQL was never ahead of Kafka's committed offsets at a kill: the kills never landed between the two commits",
      );
    for (const [k, v] of Object.entries(extra)) {
      const f = (v as { failures?: string[] }).failures;
      if (f) for (const x of f) failures.push(`${k}: ${x}`);
    }
    if (poison) failures.push(...poison.failures);
    if (poisonError !== undefined)
      failures.push(`poison backlog: the phase could not complete: ${poisonError}`);

    return {
      settings,
      startedAt: new Date(t0).toISOString(),
      durationMs: Date.now() - t0,
      produceMs,
      flowingAtLastFault,
      code,
      kindCounts: Object.fromEntries(countByKind(corpus)),
      acked: producer.acks.length,
      sentByFaults: producer.sentNow(),
      failedSends: producer.failedSends,
      topicMessages,
      faults,
      lagZeroAfterLastFaultMs,
      check: result,
      memoryAtEnd,
      memoryAfterRestart,
      exits: ingest.exits,
      unexpectedExits,
      secondExits: second.exits,
      handledByIngest,
      redelivered: redeliveredTotal,
      processes: [...handled.values()],
      aheadOfKafkaAtKills,
      ledgerUnpublished: ledger.unpublished,
      outboxAfterLagZeroMs: outbox.ms,
      duplicateCounter,
      poison,
      poisonError,
      failures,
      extra,
    };
  };

  // SIGTERM/SIGINT of the suite (ctx.signal): stop racing the run and tear down at once; the run's
  // own steps may still be awaiting, but ingest and the servers refuse to start again.
  const abort = whenAborted(ctx.signal);
  try {
    return await Promise.race([body(), abort.promise]);
  } finally {
    abort.dispose();
    const now = ctx.signal?.aborted === true;
    stopping = true;
    clearInterval(supervisor);
    clearInterval(sampler);
    activeProducer?.stop();
    poisonProducer?.stop();
    await ingest.close(now ? `suite stopped (${String(ctx.signal?.reason)})` : 'cleanup');
    await second.close(now ? `suite stopped (${String(ctx.signal?.reason)})` : 'cleanup');
    await poisonIngest.close(now ? `suite stopped (${String(ctx.signal?.reason)})` : 'cleanup');
    await servers.stopAll(now ? 'now' : 'graceful');
  }
}

function codeVersion(repoRoot: string): SuiteResult['code'] {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // tracked files only, benchmarks aside: what the processes under test can load
    const uncommitted = git(
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      'apps',
      'packages',
      'infra',
    )
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3))
      .filter((f) => !f.includes('/bench/'));
    return { commit, uncommitted };
  } catch {
    return undefined; // not a git checkout
  }
}

function whenAborted(signal: AbortSignal | undefined): {
  promise: Promise<never>;
  dispose(): void;
} {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => signal?.removeEventListener('abort', onAbort) };
}
