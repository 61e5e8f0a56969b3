// Injects one planned fault and measures recovery: from the moment the fault is repaired (process
// restarted, server back) until ingest is ready and committed offsets move again (or lag is 0).
// Per fault it also takes what the report shows beside it: orders_redelivered_total gained over
// every ingest process (0 after any crash: the consumer seeks to PostgreSQL's offsets), after a
// restart the time until the first batch is committed again, the ledger's source offsets with
// more than one row, and the checks of its own (the zombie member, PostgreSQL read-only).
import type { AckProducer } from './ack-producer.ts';
import type { IngestProcess } from './ingest-process.ts';
import {
  firstBatchAfter,
  isReady,
  type LagReader,
  ledgerFigures,
  metricValue,
  scrapeMetrics,
} from './observe.ts';
import type { PlannedFault } from './schedule.ts';
import type { FaultServers } from './servers.ts';
import { runZombie, type ZombieOutcome } from './zombie.ts';

export type FaultRecord = {
  kind: string;
  startedAt: number;
  repairedAt: number;
  /** ms from repair until ready and processing again; undefined = did not recover in time */
  recoveryMs: number | undefined;
  detail: string;
  /**
   * ingest faults: by how many messages PostgreSQL's stored offsets were ahead of Kafka's committed
   * ones when it died (an at-least-once consumer would deliver them again; this one seeks past them)
   */
  aheadOfKafka?: number;
  /** orders_redelivered_total gained over every ingest process from the fault's start to its recovery */
  redelivered: number;
  /** a restarted ingest: ms from the old process's exit to the first batch committed again */
  firstBatchMs?: number;
  /** source offsets with more than one ledger row, after the recovery (undefined: unreadable) */
  ledgerDuplicates: number | undefined;
  /** what the fault's own checks found wrong */
  failures: string[];
  zombie?: ZombieOutcome['figures'];
  readOnly?: ReadOnlyFigures;
};

export type ReadOnlyFigures = {
  readOnlyMs: number;
  /** orders_ingest_retries_total{sink="postgres"} gained: the batches paused and retried */
  retries: number;
  /** /readyz answered 503 at some point during it */
  notReadySeen: boolean;
  /** ledger rows with reason rejected_by_database stored from its start to the recovery */
  rejectedByDatabase: number;
  /** orders_invalid_total{reason="rejected_by_database"} gained */
  rejectedCounter: number;
  joins: number;
};

export type InjectDeps = {
  ingest: IngestProcess;
  /** a second instance in the same group, its own port and log (the zombie member) */
  second: IngestProcess;
  startSecond(): Promise<void>;
  servers: FaultServers;
  lag: LagReader;
  /** a /metrics sample of `proc` (default: the suite's ingest), kept per process */
  sample(proc?: IngestProcess): Promise<void>;
  /** orders_redelivered_total summed over the last sample of every process */
  redelivered(): number;
  producer: Pick<AckProducer, 'acks' | 'sender' | 'pause' | 'resume'>;
  /** the suite's database, as ingest reaches it, and what ingest consumes */
  db: { url: string; groupId: string; topic: string; partitions: number; port: number };
  productionOver(): boolean;
  /** ingest's consumer session timeout: PostgreSQL stays down for twice as long */
  sessionTimeoutMs: number;
  /** PostgreSQL's stored offsets ahead of Kafka's committed ones; undefined when unreadable */
  aheadOfKafka(): Promise<number | undefined>;
  seed: number;
  log(line: string): void;
};

/** How long PostgreSQL stays read-only (issue 12: 20 s). */
export const READ_ONLY_MS = 20_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Ready, and a message produced after the repair consumed and committed (committed offsets past
 * the high watermarks seen at repair time); once production is over, ready with lag 0.
 */
export async function waitRecovered(
  d: InjectDeps,
  since: number,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  const deadline = since + timeoutMs;
  let highAtRepair: bigint | undefined;
  while (Date.now() < deadline) {
    try {
      const now = await d.lag.positions();
      highAtRepair ??= now.high;
      if (await isReady(d.ingest.port)) {
        const past = now.committed > highAtRepair;
        const idle = d.productionOver() && now.committed === now.high;
        if (past || idle) return Date.now() - since;
      }
    } catch {
      // broker still coming back
    }
    await sleep(200);
  }
  return undefined;
}

export async function injectFault(f: PlannedFault, d: InjectDeps): Promise<FaultRecord> {
  const startedAt = Date.now();
  await d.sample();
  const redeliveredBefore = d.redelivered();
  const linesBefore = d.ingest.logLines().length;
  let detail = '';
  let aheadOfKafka: number | undefined;
  let restartedAfter: number | undefined;
  const failures: string[] = [];
  let zombie: ZombieOutcome['figures'] | undefined;
  let readOnly: ReadOnlyFigures | undefined;
  let settleReadOnly = async () => {};
  const ahead = (n: number | undefined) =>
    `PostgreSQL ${n ?? '?'} messages ahead of Kafka's committed offsets`;
  switch (f.kind) {
    case 'ingest-kill': {
      const exit = await d.ingest.signal('SIGKILL', f.kind);
      aheadOfKafka = await d.aheadOfKafka();
      detail = `pid ${exit.pid} killed; ${ahead(aheadOfKafka)}`;
      restartedAfter = exit.at;
      await d.ingest.start();
      break;
    }
    case 'ingest-crash-after-commit': {
      await d.ingest.signal('SIGKILL', 'restart with the crash hook');
      await d.ingest.start({ ORDERS_TEST_CRASH_AFTER_DB_COMMIT: String(f.crashAfterBatches) });
      const exit = await d.ingest.expectExit(f.kind, 120_000);
      aheadOfKafka = await d.aheadOfKafka();
      detail = `hook: SIGKILL after commit #${f.crashAfterBatches} (exit ${exit.signal ?? exit.code}); ${ahead(aheadOfKafka)}`;
      if (aheadOfKafka === 0)
        failures.push(
          "ingest-crash-after-commit: PostgreSQL was not ahead of Kafka's committed offsets: the kill did not land between the two commits",
        );
      restartedAfter = exit.at;
      await d.ingest.start();
      break;
    }
    case 'ingest-sigterm': {
      const t = Date.now();
      const exit = await d.ingest.signal('SIGTERM', f.kind);
      aheadOfKafka = await d.aheadOfKafka();
      detail = `graceful stop in ${Date.now() - t} ms, exit code ${exit.code ?? exit.signal}; ${ahead(aheadOfKafka)}`;
      if (exit.code !== 0) failures.push('SIGTERM did not exit 0');
      if ((aheadOfKafka ?? 0) > 0)
        failures.push(
          `the SIGTERM stop left Kafka's committed offsets ${aheadOfKafka} messages behind PostgreSQL's (expected 0)`,
        );
      restartedAfter = exit.at;
      await d.ingest.start();
      break;
    }
    case 'pg-restart-fast':
    case 'pg-restart-immediate': {
      const mode = f.kind === 'pg-restart-fast' ? 'fast' : 'immediate';
      const t = Date.now();
      await d.servers.restartPostgres(mode);
      detail = `pg_ctl restart -m ${mode}: ${Date.now() - t} ms`;
      break;
    }
    case 'pg-terminate-backends': {
      const { rows } = await d.servers.adminQuery(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = 'orders-ingest'",
      );
      detail = `${rows[0]?.n ?? 0} backends of application_name orders-ingest terminated`;
      break;
    }
    case 'pg-down-long': {
      // longer than the session timeout: the consumer must keep its membership by heartbeating
      // while the failing batch backs off, not be evicted and rebalanced
      await d.servers.stopPostgres('fast');
      const downMs = 2 * d.sessionTimeoutMs;
      await sleep(downMs);
      await d.servers.startPostgres();
      detail = `PostgreSQL down ${downMs / 1000} s (consumer session timeout ${d.sessionTimeoutMs / 1000} s)`;
      break;
    }
    case 'pg-read-only': {
      const pid = d.ingest.pid();
      const outage = await readOnlyOutage(d);
      readOnly = outage.figures;
      settleReadOnly = async () => {
        // the same process throughout (an exit is the supervisor's failure): its counters compare
        if (d.ingest.pid() !== pid || !readOnly) return;
        const gained = await outage.settle();
        readOnly.retries = gained.retries;
        readOnly.rejectedCounter = gained.rejected;
      };
      detail = `default_transaction_read_only on for ${(readOnly.readOnlyMs / 1000).toFixed(1)} s (ALTER SYSTEM + pg_reload_conf), /readyz ${readOnly.notReadySeen ? '503 during it' : 'never 503'}`;
      break;
    }
    case 'broker-kill': {
      await d.servers.killBroker();
      await sleep(5_000);
      const t = Date.now();
      await d.servers.startBroker();
      detail = `broker SIGKILLed, restarted on the same data after 5 s (answers ${Date.now() - t} ms after start)`;
      break;
    }
    case 'zombie-member': {
      const z = await runZombie({
        ingest: d.ingest,
        second: d.second,
        startSecond: d.startSecond,
        sample: (p) => d.sample(p),
        acks: d.producer.acks,
        sender: () => d.producer.sender(),
        production: d.producer,
        db: d.db,
        sessionTimeoutMs: d.sessionTimeoutMs,
        seed: d.seed,
        log: d.log,
      });
      detail = z.detail;
      failures.push(...z.failures);
      zombie = z.figures;
      break;
    }
  }
  const repairedAt = Date.now();
  const [recoveryMs, firstBatchMs] = await Promise.all([
    waitRecovered(d, repairedAt),
    restartedAfter === undefined
      ? Promise.resolve(undefined)
      : firstBatchAfter(d.db.url, d.db.groupId, d.db.topic, restartedAfter),
  ]);
  const joins = d.ingest
    .logLines()
    .slice(linesBefore)
    .filter((l) => l.msg === 'joined consumer group').length;
  if (f.kind === 'pg-down-long' || f.kind === 'pg-read-only') {
    // did the consumer keep its membership through the outage, or was it evicted and rejoined?
    detail += joins === 0 ? '; group membership kept' : `; ${joins} group rejoin(s)`;
  }
  const figures = await ledgerFigures(d.db.url, startedAt).catch(() => undefined);
  if (readOnly) {
    await settleReadOnly();
    detail += `; ${readOnly.retries} batch attempts retried`;
    readOnly.joins = joins;
    readOnly.rejectedByDatabase = figures?.rejectedByDatabaseSince ?? 0;
    if (readOnly.rejectedByDatabase > 0 || readOnly.rejectedCounter > 0)
      failures.push(
        `pg-read-only: ${Math.max(readOnly.rejectedByDatabase, readOnly.rejectedCounter)} orders dead-lettered as rejected_by_database during a transient outage`,
      );
    if (readOnly.retries === 0)
      failures.push('pg-read-only: no batch was retried (the outage reached no write)');
  }
  await d.sample();
  const redelivered = d.redelivered() - redeliveredBefore;
  if (figures && figures.duplicateSourceOffsets > 0)
    failures.push(
      `${f.kind}: ${figures.duplicateSourceOffsets} source offsets with more than one ledger row`,
    );
  d.log(
    `fault ${f.kind}: ${detail}; recovered ${recoveryMs === undefined ? 'NOT within 120 s' : `in ${recoveryMs} ms`}${firstBatchMs === undefined ? '' : `, first batch ${Math.round(firstBatchMs)} ms after the exit`}; redelivered ${redelivered}${failures.length > 0 ? `; FAILED: ${failures.join('; ')}` : ''}`,
  );
  return {
    kind: f.kind,
    startedAt,
    repairedAt,
    recoveryMs,
    detail,
    redelivered,
    ledgerDuplicates: figures?.duplicateSourceOffsets,
    failures,
    ...(aheadOfKafka === undefined ? {} : { aheadOfKafka }),
    ...(firstBatchMs === undefined ? {} : { firstBatchMs }),
    ...(zombie ? { zombie } : {}),
    ...(readOnly ? { readOnly } : {}),
  };
}

/**
 * PostgreSQL refuses every write for READ_ONLY_MS (default_transaction_read_only through ALTER
 * SYSTEM and a reload: each session takes it at its next statement), then takes writes again.
 * A transient outage (SQLSTATE 25006): batches pause and retry, nothing is dead-lettered.
 */
async function readOnlyOutage(d: InjectDeps): Promise<{
  figures: ReadOnlyFigures;
  settle(): Promise<{ retries: number; rejected: number }>;
}> {
  const metrics = async () => (await scrapeMetrics(d.ingest.port)) ?? '';
  const retries = (t: string) =>
    metricValue(t, 'orders_ingest_retries_total', { sink: 'postgres' });
  const rejected = (t: string) =>
    metricValue(t, 'orders_invalid_total', { reason: 'rejected_by_database' });
  const before = await metrics();
  await d.servers.adminQuery('ALTER SYSTEM SET default_transaction_read_only = on');
  await d.servers.adminQuery('SELECT pg_reload_conf()');
  const t = Date.now();
  let notReadySeen = false;
  while (Date.now() - t < READ_ONLY_MS) {
    if (!(await isReady(d.ingest.port))) notReadySeen = true;
    await sleep(500);
  }
  await d.servers.adminQuery('ALTER SYSTEM RESET default_transaction_read_only');
  await d.servers.adminQuery('SELECT pg_reload_conf()');
  const readOnlyMs = Date.now() - t;
  return {
    figures: {
      readOnlyMs,
      retries: 0,
      notReadySeen,
      rejectedByDatabase: 0,
      rejectedCounter: 0,
      joins: 0,
    },
    // read again once it recovered: a letter is counted after its batch commits
    async settle() {
      const after = await metrics();
      return {
        retries: retries(after) - retries(before),
        rejected: rejected(after) - rejected(before),
      };
    },
  };
}
