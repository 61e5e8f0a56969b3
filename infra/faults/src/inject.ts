// Injects one planned fault and measures recovery: from the moment the fault is repaired (process
// restarted, server back) until ingest is ready and committed offsets move again (or lag is 0).
import type { IngestProcess } from './ingest-process.ts';
import { isReady, type LagReader } from './observe.ts';
import type { PlannedFault } from './schedule.ts';
import type { FaultServers } from './servers.ts';

export type FaultRecord = {
  kind: string;
  startedAt: number;
  repairedAt: number;
  /** ms from repair until ready and processing again; undefined = did not recover in time */
  recoveryMs: number | undefined;
  detail: string;
  /** ingest faults: messages in PostgreSQL but not committed to Kafka when it died */
  replays?: number;
};

export type InjectDeps = {
  ingest: IngestProcess;
  servers: FaultServers;
  lag: LagReader;
  /** take a last /metrics sample before the suite stops ingest */
  sample(): Promise<void>;
  productionOver(): boolean;
  /** ingest's consumer session timeout: PostgreSQL stays down for twice as long */
  sessionTimeoutMs: number;
  /** see observe.pendingReplays; undefined when it could not be read */
  pendingReplays(): Promise<number | undefined>;
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
  const linesBefore = d.ingest.logLines().length;
  let detail = '';
  let replays: number | undefined;
  switch (f.kind) {
    case 'ingest-kill': {
      await d.sample();
      const exit = await d.ingest.signal('SIGKILL', f.kind);
      replays = await d.pendingReplays();
      detail = `pid ${exit.pid} killed; ${replays ?? '?'} messages in PG but not committed to Kafka`;
      await d.ingest.start();
      break;
    }
    case 'ingest-crash-after-commit': {
      await d.sample();
      await d.ingest.signal('SIGKILL', 'restart with the crash hook');
      await d.ingest.start({ ORDERS_TEST_CRASH_AFTER_DB_COMMIT: String(f.crashAfterBatches) });
      const exit = await d.ingest.expectExit(f.kind, 120_000);
      replays = await d.pendingReplays();
      detail = `hook: SIGKILL after commit #${f.crashAfterBatches} (exit ${exit.signal ?? exit.code}); ${replays ?? '?'} messages in PG but not committed to Kafka`;
      await d.ingest.start();
      break;
    }
    case 'ingest-sigterm': {
      await d.sample();
      const t = Date.now();
      const exit = await d.ingest.signal('SIGTERM', f.kind);
      replays = await d.pendingReplays();
      detail = `graceful stop in ${Date.now() - t} ms, exit code ${exit.code ?? exit.signal}; ${replays ?? '?'} messages in PG but not committed to Kafka`;
      if (exit.code !== 0) detail += ' (NOT 0)';
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
  const recoveryMs = await waitRecovered(d, repairedAt);
  if (f.kind === 'pg-down-long') {
    // did the consumer keep its membership through the outage, or was it evicted and rejoined?
    const joins = d.ingest
      .logLines()
      .slice(linesBefore)
      .filter((l) => l.msg === 'joined consumer group').length;
    detail += joins === 0 ? '; group membership kept' : `; ${joins} group rejoin(s)`;
  }
  d.log(
    `fault ${f.kind}: ${detail}; recovered ${recoveryMs === undefined ? 'NOT within 120 s' : `in ${recoveryMs} ms`}`,
  );
  return {
    kind: f.kind,
    startedAt,
    repairedAt,
    recoveryMs,
    detail,
    ...(replays === undefined ? {} : { replays }),
  };
}
