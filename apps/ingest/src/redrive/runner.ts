// Redrive runs execute here, in the ingest process: a run is taken up (claimed: a lease in its
// row) by one instance, which sends its letters to the orders topic at the run's rate, chunk by
// chunk, each chunk ONE Kafka transaction of the run's own transactional id. A run outlives its
// instance: a crash or a stop leaves it `running`, and the next instance to look (every start,
// then every couple of seconds, and at once when a run is created or resumed) takes it up once the
// lease has run out (at once after a graceful stop, which releases it).
//
// At most once per run, and none skipped, across kill -9 (apps/ingest/README.md "Redrive"):
//   1. a letter is sent only from 'pending', after it was marked 'sending' in a committed
//      PostgreSQL transaction that also renewed the lease and recorded `scan_from`, an offset per
//      partition at or below every record the chunk can get;
//   2. it is marked 'sent' only after its chunk's Kafka transaction committed;
//   3. taking a run up claims its transactional id first: Kafka ends the transaction a previous
//      holder left open (aborted, or committed if its commit had reached the coordinator) and
//      fences that holder, which can commit nothing afterwards. What read_committed readers will
//      ever see of the run is then exactly what is on the topic below the last stable offset;
//   4. the letters a previous holder left 'sending' (only the chunk it had in flight) are looked
//      for there, from `scan_from` on, by their x-redrive-run header: found → 'sent' (ingest may
//      have consumed them already: its recorded outcome is proof enough), not found → 'pending'
//      again, and they can never appear later (fenced) — sending them now is their first time.
import { hostname } from 'node:os';
import {
  createTransactionalProducer,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  type KafkaClient,
  KafkaError,
  type KafkaSettings,
  listEndOffsets,
  type ProducedRecord,
  readTopicLimits,
  type TransactionalProducer,
  withAdmin,
} from '@orders/kafka';
import type { Queryable } from '../db.ts';
import { errorFields, type Logger } from '../logger.ts';
import { reconcile } from './reconcile.ts';
import {
  chunkSize,
  fittingRecords,
  redriveRecord,
  type Skip,
  sleep,
  validateChunk,
} from './records.ts';
import type { ChunkRow, RunRow, RunsRepo } from './runs-repo.ts';

export type RedriveRunner = {
  /** look for runs to take up, now and then every `pollMs` */
  start(): void;
  /** a run was created or asked to resume: look now */
  wake(): void;
  /** the chunks in flight finish, the leases are released (another instance may go on at once) */
  stop(): Promise<void>;
  /** runs this instance is executing */
  active(): number;
  readonly instance: string;
};

export type RedriveRunnerOptions = {
  db: Queryable;
  runs: RunsRepo;
  kafka: KafkaClient;
  /** for reading the topic back (resume) and listing its end offsets */
  kafkaSettings: KafkaSettings;
  /** the orders topic */
  topic: string;
  /** KAFKA_MAX_BYTES: a letter is validated again right before it is sent */
  maxMessageBytes: number;
  logger: Logger;
  onSent?(letters: number): void;
  /** letters Kafka refused as records (failed for good) */
  onFailed?(letters: number): void;
  leaseMs?: number;
  pollMs?: number;
  /** most runs executing at once in this instance */
  maxRuns?: number;
  /** whether this process validated the run's letters when it created it (then not again) */
  validatedHere?(run: number): boolean;
  /** test hook: a chunk's transaction committed, not yet marked sent */
  afterChunkCommit?(run: number, letters: number): void;
  instance?: string;
};

const BACKOFF = { baseMs: 200, capMs: 5_000 };

/** a chunk read and built: `rows` read, the `sendable` ones as `records` */
type Prepared = { rows: number; sendable: ChunkRow[]; records: ProducedRecord[] };

export function createRedriveRunner(o: RedriveRunnerOptions): RedriveRunner {
  const log = o.logger.child({ component: 'redrive' });
  const leaseMs = o.leaseMs ?? 8_000;
  const pollMs = o.pollMs ?? 2_000;
  const maxRuns = o.maxRuns ?? 4;
  const instance =
    o.instance ?? `${hostname()}/${process.pid}/${Math.random().toString(36).slice(2, 8)}`;
  const executing = new Map<number, Promise<void>>();
  const stopping = new AbortController();
  let poller: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;
  let lookAgain = false;

  async function look(): Promise<void> {
    for (const id of await o.runs.claimable()) {
      if (stopping.signal.aborted || executing.size >= maxRuns) return;
      if (executing.has(id)) continue;
      const run = await o.runs.claim(id, instance, leaseMs);
      if (!run) continue; // another instance was faster
      const task = execute(run)
        .catch((err) =>
          log.error('redrive run stopped on an error', { run: id, ...errorFields(err) }),
        )
        .finally(() => {
          executing.delete(id);
          wake();
        });
      executing.set(id, task);
    }
  }

  function wake(): void {
    if (stopping.signal.aborted) return;
    if (looking) {
      lookAgain = true;
      return;
    }
    looking = look()
      .catch((err) => log.debug('looking for redrive runs failed', errorFields(err)))
      .finally(() => {
        looking = undefined;
        if (lookAgain) {
          lookAgain = false;
          wake();
        }
      });
  }

  async function execute(run: RunRow): Promise<void> {
    log.info('redrive run taken up', { run: run.id, instance });
    const ctx = { lost: false };
    // the lease, renewed while the run waits (rate, backoff) as well as with every chunk
    const renewer = setInterval(() => {
      o.runs.renew(o.db, run.id, instance, leaseMs).then(
        (ours) => {
          if (!ours) ctx.lost = true;
        },
        () => {},
      );
    }, leaseMs / 4);
    renewer.unref();
    let producer: TransactionalProducer | undefined;
    try {
      for (let attempt = 0; !stopping.signal.aborted && !ctx.lost; attempt++) {
        try {
          producer = createTransactionalProducer(o.kafka, { transactionalId: run.txn_id });
          await producer.connect();
          await reconcile(run, { ...o, instance, log });
          const done = await send(run, producer, ctx);
          if (done) return;
          attempt = -1;
        } catch (err) {
          log.warn('redrive run failing, retrying with backoff', {
            run: run.id,
            attempt,
            ...errorFields(err),
          });
          const ceiling = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.min(attempt, 10));
          await sleep(BACKOFF.baseMs / 2 + Math.random() * ceiling, stopping.signal);
        } finally {
          await producer?.close().catch(() => {});
          producer = undefined;
        }
      }
    } finally {
      clearInterval(renewer);
      await o.runs.release(run.id, instance).catch(() => {});
      log.info('redrive run left', {
        run: run.id,
        lost: ctx.lost,
        stopping: stopping.signal.aborted,
      });
    }
  }

  /** Chunks until nothing is left (true) or the run is stopped, lost or failing (throws). */
  async function send(
    run: RunRow,
    producer: TransactionalProducer,
    ctx: { lost: boolean },
  ): Promise<boolean> {
    // after the claim every earlier record is below the high watermarks: a scan starts there
    const ends = await listEndOffsets(o.kafkaSettings, o.topic, { isolation: 'read_uncommitted' });
    const partitions = ends.length;
    const scanFrom: Record<string, string> = {};
    for (const e of ends) scanFrom[e.partition] = String(e.end);
    const size = chunkSize(run.rate);
    const topicLimit = await withAdmin(o.kafka, (admin) => readTopicLimits(admin, o.topic)).then(
      (limits) => limits.maxMessageBytes,
      () => KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
    );
    // the next chunk is read, validated and built while this one's Kafka transaction is out: it
    // starts after this chunk's letters are 'sending', so it reads none of them
    const validated = o.validatedHere?.(run.id) ?? false;
    const prepare = async (): Promise<Prepared> => {
      const rows = await o.runs.nextChunk(run.id, size);
      if (rows.length === 0) return { rows: 0, sendable: [], records: [] };
      // validated again, unless this process validated the run at its creation: the schema or
      // the limits may have changed since
      const { sendable: valid, skipped } = validated
        ? { sendable: rows, skipped: [] as Skip[] }
        : validateChunk(rows, o.maxMessageBytes);
      await o.runs.skip(o.db, run.id, skipped);
      // what one send can carry; the rest stay pending, the next chunk's
      const built = valid.map((r) => redriveRecord(r, run.id, { topic: o.topic, partitions }));
      const fit = fittingRecords(built, topicLimit);
      return { rows: rows.length, sendable: valid.slice(0, fit), records: built.slice(0, fit) };
    };
    const started = performance.now();
    let paced = 0;
    let next = prepare();
    try {
      while (!stopping.signal.aborted && !ctx.lost) {
        const { rows, sendable, records } = await next;
        if (rows === 0) {
          if (await o.runs.finish(run.id, instance)) {
            log.info('redrive run done', { run: run.id });
            return true;
          }
          // cancelled, or taken over: nothing more to do here
          return true;
        }
        if (sendable.length === 0) {
          next = prepare();
          continue;
        }
        // the rate: this chunk goes out once the letters before it have had their time
        const due = started + (paced / run.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait, stopping.signal);
        if (stopping.signal.aborted) return false;
        paced += sendable.length;

        const letters = sendable.map((r) => r.letter_id);
        if (!(await o.runs.markSending(run.id, instance, leaseMs, letters, scanFrom))) {
          ctx.lost = true; // cancelled or taken over
          return true;
        }
        next = prepare();
        let acks: { partition: number; baseOffset: string }[];
        try {
          acks = await producer.sendInTransaction(o.topic, records);
        } catch (err) {
          if (KafkaError.from(err).recordRefused) {
            // nothing of the chunk committed (the commit was never asked): pending again, then
            // one letter per transaction to find the refused one(s), which fail for good
            await o.runs.backToPending(run.id, letters);
            await sendOneByOne(run, sendable, partitions, scanFrom);
          }
          throw err; // the producer is unusable: claim the id again and reconcile
        }
        o.afterChunkCommit?.(run.id, sendable.length);
        // where each record went: per partition, the request's records follow its base offset
        const base = new Map(acks.map((a) => [a.partition, BigInt(a.baseOffset)]));
        const following = new Map<number, bigint>();
        const sent = records.map((r, i) => {
          const p = r.partition;
          if (p === undefined || !base.has(p)) {
            return { letter: letters[i] as number, partition: null, offset: null };
          }
          const offset = (base.get(p) as bigint) + (following.get(p) ?? 0n);
          following.set(p, (following.get(p) ?? 0n) + 1n);
          return { letter: letters[i] as number, partition: p, offset: String(offset) };
        });
        // the facts are known: mark them however long it takes (a resume would find them too)
        for (let attempt = 0; ; attempt++) {
          try {
            if (!(await o.runs.markSent(run.id, instance, sent))) {
              ctx.lost = true;
              return true;
            }
            break;
          } catch (err) {
            if (stopping.signal.aborted) throw err;
            await sleep(Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt));
          }
        }
        o.onSent?.(sendable.length);
        // the next chunk's records come after this one's (and after its commit marker)
        for (const a of acks) {
          const after = BigInt(a.baseOffset) + 1n;
          if (after > BigInt(scanFrom[a.partition] ?? '0')) scanFrom[a.partition] = String(after);
        }
      }
      return false;
    } finally {
      // a chunk read ahead and not sent stays pending (its skips are final either way)
      await next.then(
        () => {},
        () => {},
      );
    }
  }

  /** After a chunk was refused as records: each letter alone; the refused ones fail. */
  async function sendOneByOne(
    run: RunRow,
    rows: ChunkRow[],
    partitions: number,
    scanFrom: Record<string, string>,
  ): Promise<void> {
    for (const row of rows) {
      const producer = createTransactionalProducer(o.kafka, { transactionalId: run.txn_id });
      try {
        await producer.connect();
        if (!(await o.runs.markSending(run.id, instance, leaseMs, [row.letter_id], scanFrom))) {
          return;
        }
        try {
          await producer.sendInTransaction(o.topic, [
            redriveRecord(row, run.id, { topic: o.topic, partitions }),
          ]);
        } catch (err) {
          const e = KafkaError.from(err);
          if (!e.recordRefused) throw err;
          await o.runs.markFailed(run.id, row.letter_id, `refused by Kafka: ${e.type}`);
          o.onFailed?.(1);
          continue;
        }
        await o.runs.markSent(run.id, instance, [
          { letter: row.letter_id, partition: null, offset: null },
        ]);
        o.onSent?.(1);
      } finally {
        await producer.close().catch(() => {});
      }
    }
  }

  return {
    instance,
    start() {
      poller ??= setInterval(wake, pollMs);
      poller.unref();
      wake();
    },
    wake,
    async stop() {
      stopping.abort();
      if (poller) clearInterval(poller);
      await looking;
      await Promise.all(executing.values());
    },
    active: () => executing.size,
  };
}
