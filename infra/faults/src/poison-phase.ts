// The poison-backlog phase (issue 17), after the fault run on the same servers: its own topic, DLQ
// topic, consumer group, database and ingest process. The whole backlog (poison.ts's plan) is on
// the topic before that ingest starts; then it must drain it within the deadline — lag 0, every
// valid order served, every invalid message one dead letter — and stop on SIGTERM.
import { createTopicsWithLeaders, withAdmin } from '@orders/kafka';
import { type AckProducer, startAckProducer } from './ack-producer.ts';
import type { CheckResult, DlqRecord, LedgerRow, ServedCheck } from './check.ts';
import type { ExitRecord, IngestProcess } from './ingest-process.ts';
import {
  createLagReader,
  fetchAll,
  isReady,
  metricValue,
  outboxDrained,
  readDlq,
  readLedger,
  readRows,
  scrapeMetrics,
  unpublishedLetters,
} from './observe.ts';
import {
  judgePoison,
  type KindPlan,
  type PartitionOffsets,
  type PartitionPlan,
  planPoisonBacklog,
} from './poison.ts';
import type { FaultServers } from './servers.ts';
import type { PoisonSize, RunSettings } from './settings.ts';

export type PoisonResult = {
  topic: string;
  dlqTopic: string;
  groupId: string;
  database: string;
  size: PoisonSize;
  maxBytes: number;
  nearBrokerLimit: number;
  tombstonePartition: number;
  kinds: Record<string, KindPlan>;
  perPartition: PartitionPlan[];
  backlogBytes: number;
  nearLimit: number;
  planned: number;
  acked: number;
  failedSends: number;
  produceMs: number;
  /** ingest's start → consumer lag 0 (undefined: not by the deadline) */
  drainMs: number | undefined;
  /**
   * lag 0 → every ledger row published to the DLQ topic by the outbox (undefined: not within the
   * phase's deadline), and how many were left unpublished at lag 0's moment and at the end
   */
  outboxMs: number | undefined;
  unpublishedAtLagZero: number | undefined;
  /** ingest's start → first /readyz 200 (undefined: never during the drain) */
  firstReadyMs: number | undefined;
  readyAtEnd: boolean;
  lagAtEnd: number | undefined;
  offsets: PartitionOffsets[];
  letterRecords: number;
  /** ledger rows, and those the outbox had not marked published */
  ledgerRows: number;
  ledgerUnpublished: number;
  /** orders_redelivered_total and orders_fenced_batches_total of the phase's ingest at the end */
  redelivered: number;
  fenced: number;
  check: CheckResult;
  served: ServedCheck;
  tooLargeLogLines: number;
  /** the first log line naming MESSAGE_TOO_LARGE (cut to 400 characters) */
  tooLargeExample: string | undefined;
  dlqRetries: number;
  /** orders_dead_letters_cut_total and orders_dead_letters_unpublishable_total at the end */
  lettersCut: number;
  unpublishable: number;
  exits: ExitRecord[];
  /** SIGTERM at the end: exited by itself, or SIGKILLed after 20 s */
  stop: 'exited' | 'killed' | 'not running';
  failures: string[];
};

export type PoisonPhaseDeps = {
  settings: RunSettings;
  servers: FaultServers;
  /** its own ingest process (own port and log); never restarted */
  ingest: IngestProcess;
  /** the fault run's ingest environment: servers, session timeout, limits */
  baseEnv: Record<string, string>;
  log(line: string): void;
  /** the producer, for the suite's cleanup */
  onProducer(p: AckProducer): void;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const NEAR_BROKER_LIMIT = 1_000_000;
const TOO_LARGE = /MESSAGE_TOO_LARGE|larger than the max message size/i;

export async function runPoisonPhase(d: PoisonPhaseDeps): Promise<PoisonResult> {
  const { settings, servers, ingest, log } = d;
  const size = settings.poison;
  const topic = 'orders-poison';
  const dlqTopic = `${topic}.dlq`;
  const groupId = 'orders-poison-ingest';
  const database = 'orders_poison';
  const maxBytes = 256 * 1024; // the fault run's KAFKA_MAX_BYTES
  const plan = planPoisonBacklog({
    seed: settings.seed,
    partitions: settings.partitions,
    invalid: size.invalid,
    tombstones: size.tombstones,
    valid: size.valid,
    maxBytes,
    nearBrokerLimit: NEAR_BROKER_LIMIT,
  });
  log(
    `poison backlog: ${plan.messages.length} messages (${size.invalid} invalid, ${size.tombstones} of them tombstones on partition ${plan.tombstonePartition}; ${size.valid} valid behind them), ${(plan.bytes / 1024 ** 2).toFixed(1)} MiB`,
  );

  await withAdmin({ clientId: 'orders-faults-admin', brokers: servers.brokers }, (admin) =>
    createTopicsWithLeaders(admin, [{ topic, partitions: settings.partitions }]),
  );
  await servers.adminQuery(`CREATE DATABASE ${database} OWNER ${servers.pg.user}`);

  const produceStarted = Date.now();
  const producer = startAckProducer({
    brokers: servers.brokers,
    topic,
    corpus: plan.messages,
    durationMs: 0,
    chunk: 500,
  });
  d.onProducer(producer);
  await producer.done;
  const produceMs = Date.now() - produceStarted;
  log(
    `poison backlog: ${producer.acks.length} of ${plan.messages.length} acked in ${s(produceMs)} (${producer.failedSends} failed sends retried)`,
  );

  const started = Date.now();
  await ingest.start({
    ...d.baseEnv,
    KAFKA_TOPIC: topic,
    KAFKA_DLQ_TOPIC: dlqTopic,
    KAFKA_GROUP_ID: groupId,
    POSTGRES_DB: database,
    SERVER_PORT: String(ingest.port),
  });
  log(`poison backlog: ingest pid ${ingest.pid()} started on :${ingest.port}`);
  const lag = await createLagReader(servers.brokers, topic, groupId);
  try {
    let drainMs: number | undefined;
    let firstReadyMs: number | undefined;
    let lagAtEnd: number | undefined;
    let lastLog = started;
    const offsetsText = async () =>
      (await lag.byPartition().catch(() => []))
        .map((p) => `p${p.partition} ${p.committed}/${p.high}`)
        .join(', ');
    while (Date.now() - started < size.deadlineMs && ingest.running()) {
      lagAtEnd = await lag.lag().catch(() => undefined);
      if (firstReadyMs === undefined && (await isReady(ingest.port)))
        firstReadyMs = Date.now() - started;
      if (lagAtEnd === 0) {
        drainMs = Date.now() - started;
        break;
      }
      if (Date.now() - lastLog >= 15_000) {
        lastLog = Date.now();
        log(
          `poison backlog: +${s(lastLog - started)} lag ${lagAtEnd} (committed/end: ${await offsetsText()})`,
        );
      }
      await sleep(250);
    }
    if (!ingest.running()) log('poison backlog: ingest EXITED during the drain');
    log(
      drainMs === undefined
        ? `poison backlog: lag ${lagAtEnd} NOT 0 by the ${s(size.deadlineMs)} deadline (committed/end: ${await offsetsText()})`
        : `poison backlog: lag 0 ${s(drainMs)} after ingest's start`,
    );
    const offsets = (await lag.byPartition().catch(() => [])).map((p) => ({
      partition: p.partition,
      committed: String(p.committed),
      high: String(p.high),
    }));

    // the topic is fed from the ledger after each commit: complete once the outbox caught up
    const url = `postgres://${servers.pg.user}:${servers.pg.password}@${servers.pg.host}:${servers.pg.port}/${database}`;
    let outboxMs: number | undefined;
    let unpublishedAtLagZero: number | undefined;
    if (drainMs !== undefined && ingest.running()) {
      unpublishedAtLagZero = await unpublishedLetters(url).catch(() => undefined);
      const outbox = await outboxDrained(url, Math.max(30_000, size.deadlineMs - drainMs));
      outboxMs = outbox.ms;
      log(
        outboxMs === undefined
          ? `poison backlog: the outbox left ${outbox.left} ledger rows unpublished`
          : `poison backlog: every ledger row published ${s(outboxMs)} after lag 0 (${unpublishedAtLagZero} unpublished then)`,
      );
    }

    const validUids = plan.messages.filter((m) => m.type === 'valid').map((m) => m.key);
    const served = ingest.running() ? await fetchAll(ingest.port, validUids) : new Map();
    const readyAtEnd = ingest.running() && (await isReady(ingest.port));
    const metrics = ingest.running() ? ((await scrapeMetrics(ingest.port)) ?? '') : '';
    const dlqRetries = metricValue(metrics, 'orders_ingest_retries_total', {
      sink: 'dead_letters',
    });
    const lettersCut = metricValue(metrics, 'orders_dead_letters_cut_total');
    const unpublishable = metricValue(metrics, 'orders_dead_letters_unpublishable_total');
    const redelivered = metricValue(metrics, 'orders_redelivered_total');
    const fenced = metricValue(metrics, 'orders_fenced_batches_total');
    const rows = await readRows(url);

    // the DLQ is read once its writer is gone: no transaction of it can still be open
    let stop: PoisonResult['stop'] = 'not running';
    if (ingest.running()) {
      const exited = ingest.signal('SIGTERM', 'poison backlog: end').then(
        () => true,
        () => false,
      );
      if (await Promise.race([exited, sleep(20_000).then(() => false)])) stop = 'exited';
      else {
        await ingest.close('poison backlog: no exit 20 s after SIGTERM');
        stop = 'killed';
      }
    }
    const lines = ingest.logLines().filter((l) => TOO_LARGE.test(JSON.stringify(l)));

    let letters: DlqRecord[] = [];
    let dlqReadError: string | undefined;
    try {
      letters = await readDlq(servers.brokers, dlqTopic);
    } catch (err) {
      dlqReadError = (err as Error).message;
    }

    let ledger: LedgerRow[] = [];
    let ledgerUnpublished = 0;
    let ledgerReadError: string | undefined;
    try {
      const read = await readLedger(url);
      ledger = read.rows;
      ledgerUnpublished = read.unpublished;
    } catch (err) {
      ledgerReadError = (err as Error).message;
    }

    const verdict = judgePoison({
      topic,
      planned: plan.messages.length,
      acks: producer.acks,
      unackedInvalidShas: producer.retriedInvalidShas,
      rows,
      letters,
      ledger,
      ...(ledgerReadError === undefined ? {} : { ledgerReadError }),
      redelivered,
      served,
      drainMs,
      deadlineMs: size.deadlineMs,
      lagAtEnd,
      offsets,
      tooLargeLogLines: lines.length,
      dlqRetries,
      dlqReadError,
    });
    const failures = [...verdict.failures];
    if (drainMs !== undefined && outboxMs === undefined)
      failures.push(
        `poison backlog: the outbox had not published every ledger row to the dead-letter topic ${s(Math.max(30_000, size.deadlineMs - drainMs))} after lag 0`,
      );
    const exits = [...ingest.exits];
    const unasked = exits.filter((e) => e.cause === undefined);
    if (unasked.length > 0)
      failures.push(
        `poison backlog: ingest exited by itself during the drain (${unasked.map((e) => e.signal ?? `code ${e.code}`).join(', ')})`,
      );
    if (stop === 'killed')
      failures.push('poison backlog: ingest did not stop within 20 s of SIGTERM');
    else if (stop === 'exited' && exits.at(-1)?.code !== 0)
      failures.push(
        `poison backlog: ingest exited ${exits.at(-1)?.signal ?? `code ${exits.at(-1)?.code}`} on SIGTERM`,
      );

    const c = verdict.check.dlq;
    log(
      `poison backlog: letters ${c.distinctSourceOffsets}/${c.expected} (${letters.length} records, ${c.repeatedCopies} extra copies, ${c.missing} missing, ${c.unexpected} unexplained); ledger ${verdict.check.ledger?.distinctSourceOffsets ?? '?'}/${c.expected} (${ledger.length} rows); valid served ${verdict.served.compared - verdict.served.missing - verdict.served.mismatched}/${verdict.served.compared}; MESSAGE_TOO_LARGE in ${lines.length} log lines, ${dlqRetries} dead-letter retries`,
    );
    return {
      topic,
      dlqTopic,
      groupId,
      database,
      size,
      maxBytes,
      nearBrokerLimit: NEAR_BROKER_LIMIT,
      tombstonePartition: plan.tombstonePartition,
      kinds: plan.kinds,
      perPartition: plan.perPartition,
      backlogBytes: plan.bytes,
      nearLimit: plan.nearLimit,
      planned: plan.messages.length,
      acked: producer.acks.length,
      failedSends: producer.failedSends,
      produceMs,
      drainMs,
      outboxMs,
      unpublishedAtLagZero,
      firstReadyMs,
      readyAtEnd,
      lagAtEnd,
      offsets,
      letterRecords: letters.length,
      ledgerRows: ledger.length,
      ledgerUnpublished,
      redelivered,
      fenced,
      check: verdict.check,
      served: verdict.served,
      tooLargeLogLines: lines.length,
      tooLargeExample: lines[0] === undefined ? undefined : JSON.stringify(lines[0]).slice(0, 400),
      dlqRetries,
      lettersCut,
      unpublishable,
      exits,
      stop,
      failures,
    };
  } finally {
    await lag.close();
  }
}
