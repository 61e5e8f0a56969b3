// Injects one planned fault and measures recovery: from the moment the fault is repaired (process
// restarted, server back) until ingest is ready and committed offsets move again (or lag is 0).
// Per fault it also takes what the report shows beside it: orders_redelivered_total gained over
// every ingest process (0 after any crash: the consumer seeks to PostgreSQL's offsets), after a
// restart the time until the first batch is committed again, the ledger's source offsets with
// more than one row, and the checks of its own.
import type { IngestProcess } from './ingest-process.ts';
import { firstBatchAfter, isReady, type LagReader, ledgerFigures } from './observe.ts';
import type { PlannedFault } from './schedule.ts';
import type { FaultServers } from './servers.ts';

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
};

export type InjectDeps = {
  ingest: IngestProcess;
  servers: FaultServers;
  lag: LagReader;
  /** a /metrics sample of `proc` (default: the suite's ingest), kept per process */
  sample(proc?: IngestProcess): Promise<void>;
  /** orders_redelivered_total summed over the last sample of every process */
  redelivered(): number;
  /** the suite's database, as ingest reaches it, and what ingest consumes */
  db: { url: string; groupId: string; topic: string; partitions: number };
  productionOver(): boolean;
  /** ingest's consumer session timeout: PostgreSQL stays down for twice as long */
  sessionTimeoutMs: number;
  /** PostgreSQL's stored offsets ahead of Kafka's committed ones; undefined when unreadable */
  aheadOfKafka(): Promise<number | undefined>;
  log(line: string): void;
};

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
    case 'broker-kill': {
      await d.servers.killBroker();
      await sleep(5_000);
      const t = Date.now();
      await d.servers.startBroker();
      detail = `broker SIGKILLed, restarted on the same data after 5 s (answers ${Date.now() - t} ms after start)`;
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
  if (f.kind === 'pg-down-long') {
    // did the consumer keep its membership through the outage, or was it evicted and rejoined?
    detail += joins === 0 ? '; group membership kept' : `; ${joins} group rejoin(s)`;
  }
  const figures = await ledgerFigures(d.db.url, startedAt).catch(() => undefined);
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
  };
}
