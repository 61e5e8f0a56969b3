// The consumer group as the pipeline uses it: batches handed over with explicit offset control
// (no auto-resolve, no auto-commit), joins and crashes reported, lag from admin offsets. Callers
// see the small client-free types below, never the client's payload.
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Admin, KafkaClient } from './client.ts';
import { KafkaError } from './errors.ts';
import { transientStateOf } from './log-filter.ts';
import { type PartitionOffsets, readGroupOffsets } from './offsets.ts';

export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** A consumed message, as far as this repository reads it. */
export type InboundMessage = {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  /** epoch ms as a string */
  timestamp: string;
  headers?: Record<string, HeaderValue>;
};

/** What the pipeline may do with the batch in hand. */
export type BatchControl = {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** the consumer's fetch position moves past `offset` (nothing is committed) */
  resolveOffset(offset: string): void;
  commitOffsetsIfNecessary(): Promise<void>;
  /**
   * Commit exactly `offset` for this partition now and wait for the answer (kafkajs skips it once
   * the consumer is stopping). The coordinator handles one connection's requests in order: once
   * this returns, no commit of this partition sent earlier can still land after it.
   */
  commitOffset(offset: string): Promise<void>;
  heartbeat(): Promise<void>;
  /** stop fetching this partition (until the returned resume, or a group join) */
  pause(): () => void;
  /** fetch this partition from `offset` next (the batch in hand becomes stale) */
  seek(offset: string): void;
  isRunning(): boolean;
  /** the batch's partition was revoked or its offset reset meanwhile: its work is stale */
  isStale(): boolean;
};

export type GroupLog = {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
};

export type GroupConsumer = {
  start(): Promise<void>;
  /** stop fetching, let the in-flight batch finish and commit, leave the group */
  stop(): Promise<void>;
  /** resume every partition paused after a failed batch */
  resumeAll(): void;
  /** latest per-partition lag from admin offsets (high watermark − committed) */
  fetchLag(): Promise<{ partition: number; lag: number }[]>;
  /** every partition's committed offset, log start and high watermark (admin offsets) */
  fetchOffsets(): Promise<PartitionOffsets[]>;
};

export type GroupConsumerOptions = {
  kafka: KafkaClient;
  groupId: string;
  topic: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition?: number;
  /** KAFKA_SESSION_TIMEOUT_MS; the heartbeat interval follows from it */
  sessionTimeout?: number;
  /** longest idle long-poll of a fetch (default 1 s; tests lengthen it to show what waits on it) */
  maxWaitTimeInMs?: number;
  logger: GroupLog;
  onBatch(batch: BatchControl): Promise<void>;
  /** `durationMs`: the join and sync this rebalance took (kafkajs measures it) */
  onJoin(info: { memberId: string; partitions: number[]; durationMs: number }): void;
  /**
   * Where each assigned partition resumes, asked at every join before anything is fetched: the
   * assigned partitions stay paused until it answers, then each partition it names is sought to
   * its offset (the others start at the group's committed offset, else the earliest). A failure
   * is retried with backoff, the partitions still paused. Without it kafkajs's positions stand.
   */
  positionOnJoin?(partitions: number[]): Promise<Map<number, string>>;
  /** the client crashed and will not restart itself: the process should exit non-zero */
  onFatal(err: Error): void;
  /** the client crashed and restarts itself (leaves the group, rejoins as a new member) */
  onCrash(err: Error): void;
};

export function createGroupConsumer(opts: GroupConsumerOptions): GroupConsumer {
  const { kafka, topic, groupId, logger } = opts;
  const sessionTimeout = opts.sessionTimeout ?? 30_000;
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout,
    // kafkajs' 3 s, but at least three heartbeats per session timeout (Kafka's advice)
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 2 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    // A fetch returns as soon as data is there (minBytes 1); this only bounds an idle long-poll,
    // which a graceful stop waits for (kafkajs's 5 s default made every stop take ~5 s).
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 1_000,
    allowAutoTopicCreation: false,
  });
  let admin: Admin | undefined;

  // bumped at every join: a positioning of an earlier join must not resume what a later one paused
  let joins = 0;
  async function position(partitions: number[], join: number): Promise<void> {
    const ask = opts.positionOnJoin;
    if (!ask || partitions.length === 0) return;
    for (let attempt = 0; join === joins; attempt++) {
      try {
        const offsets = await ask(partitions);
        if (join !== joins) return;
        for (const [partition, offset] of offsets) consumer.seek({ topic, partition, offset });
        consumer.resume([{ topic, partitions }]);
        return;
      } catch (err) {
        if (attempt === 0) {
          logger.warn('positions of the assigned partitions unreadable, retrying (paused)', {
            err: { message: (err as Error).message },
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
      }
    }
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[topic] ?? [];
    logger.info('joined consumer group', {
      groupId,
      memberId: payload.memberId,
      leader: payload.isLeader,
      partitions,
    });
    const join = ++joins;
    opts.onJoin({ memberId: payload.memberId, partitions, durationMs: payload.duration });
    // paused synchronously, inside the join event: kafkajs fetches only after it returns. With
    // every partition paused its fetch loop idles for maxWaitTimeInMs; our kafkajs patch
    // (patches/kafkajs@2.2.4.patch) makes the resume end that wait, which otherwise cost every
    // join (start, restart, rebalance) ~1 s before the first batch.
    if (opts.positionOnJoin && partitions.length > 0) {
      consumer.pause([{ topic, partitions }]);
      void position(partitions, join);
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const err = payload.error;
    if (payload.restart) {
      // a crash on a state the cluster resolves itself (a new broker's coordinator loading) is
      // part of that state: the client's log warns once if it persists (log-filter.ts)
      const state = transientStateOf(KafkaError.from(err).type);
      if (state) {
        logger.info('consumer restarted by kafkajs after a transient kafka state', {
          state,
          err: { message: err.message },
        });
      } else {
        logger.warn('consumer crashed, kafkajs restarts it', { err: { message: err.message } });
      }
      opts.onCrash(err);
    } else {
      logger.error('consumer crashed and will not restart', { err: { message: err.message } });
      opts.onFatal(err);
    }
  });

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    await opts.onBatch({
      topic: batch.topic,
      partition: batch.partition,
      messages: batch.messages as InboundMessage[],
      resolveOffset: payload.resolveOffset,
      commitOffsetsIfNecessary: () => payload.commitOffsetsIfNecessary(),
      // the payload's commit with explicit offsets goes straight to the group (consumer.commitOffsets
      // is skipped once the consumer is stopping, and a graceful stop must commit its last batch)
      commitOffset: (offset) =>
        payload.commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
        }),
      heartbeat: payload.heartbeat,
      pause: payload.pause,
      seek: (offset) => consumer.seek({ topic: batch.topic, partition: batch.partition, offset }),
      isRunning: payload.isRunning,
      isStale: payload.isStale,
    });
  };

  async function fetchOffsets(): Promise<PartitionOffsets[]> {
    if (!admin) {
      admin = kafka.admin();
      await admin.connect();
    }
    return readGroupOffsets(admin, groupId, topic);
  }

  return {
    async start() {
      await consumer.connect();
      // fromBeginning: a new group must not skip what was produced before its first commit
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        // never let kafkajs resolve a batch the caller did not finish
        eachBatchAutoResolve: false,
        // The caller commits each batch's own partition, after its own bookkeeping. kafkajs's
        // auto-commit sends every partition's resolved offsets after any batch, so a stale offset
        // of partition A could land after A's own commit and move the group back.
        autoCommit: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently,
        eachBatch,
      });
    },
    async stop() {
      await consumer.disconnect();
      if (admin) await admin.disconnect().catch(() => {});
      admin = undefined;
    },
    resumeAll() {
      consumer.resume([{ topic }]);
    },
    async fetchLag() {
      const offsets = await fetchOffsets();
      return offsets.map(({ partition, lag }) => ({ partition, lag }));
    },
    fetchOffsets,
  };
}
