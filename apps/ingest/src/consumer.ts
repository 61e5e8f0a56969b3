// The only module of ingest that imports kafkajs: the client, topic creation, the consumer group
// (eachBatch, explicit offset resolution), the dead-letter producer and lag from admin offsets.
// Everything else sees the small kafkajs-free types below.

import type { ConnectionOptions } from 'node:tls';
import kafkajs, {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaConfig,
  logLevel as KafkaLogLevel,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { OutboundRecord } from './dlq-records.ts';
import type { InboundMessage } from './handle-batch.ts';
import type { Logger } from './logger.ts';

export type KafkaSettings = {
  brokers: string[];
  clientId: string;
  /** kafkajs `ssl`: false, or TLS options (from @orders/config readKafkaSsl) */
  ssl?: false | ConnectionOptions;
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
};

/** What the pipeline may do with the batch in hand (a kafkajs-free view of EachBatchPayload). */
export type BatchControl = {
  topic: string;
  partition: number;
  messages: InboundMessage[];
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
  isRunning(): boolean;
  isStale(): boolean;
};

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  const log = logger.child({ component: 'kafkajs' });
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    // kafkajs logs a lot at INFO (joins, connections); only warnings and errors reach our log
    logLevel: log.level === 'debug' ? KafkaLogLevel.INFO : KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry as { message: string } & Record<string, unknown>;
        // drop kafkajs's own stack dumps and timestamps; keep the small fields
        const fields = { error: rest.error, groupId: rest.groupId, topic: rest.topic };
        if (level <= KafkaLogLevel.ERROR && !isConnectionRetry(message)) log.error(message, fields);
        else if (level === KafkaLogLevel.WARN && !message.startsWith(BOUNDED_RETRIES_WARNING)) {
          log.warn(message, fields);
        } else log.debug(message, fields);
      },
    retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 5_000 },
  };
  if (settings.ssl) config.ssl = settings.ssl;
  if (settings.sasl) config.sasl = settings.sasl as SASLOptions;
  return new Kafka(config);
}

// kafkajs logs every failed connection attempt at ERROR, then retries (an unreachable broker at
// start made 22 such lines before the one that matters). The attempts are debug; what they add
// up to is ours to say: "kafka not reachable" at start, the consumer's crash/restart later.
function isConnectionRetry(message: string): boolean {
  return (
    message.startsWith('Connection error') ||
    message.startsWith('Connection timeout') ||
    message.startsWith('Failed to connect to seed broker')
  );
}

const CONNECTION_FAILURES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
]);

/** An error (or its cause) that says no broker could be reached: an address or network problem. */
export function isUnreachable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    if (CONNECTION_FAILURES.has(e.name)) return true;
    if (e.message.startsWith('Connection error') || e.message.startsWith('Connection timeout')) {
      return true;
    }
    e = (e as { cause?: unknown; originalError?: unknown }).cause;
  }
  return false;
}

// The DLQ producer is idempotent with BOUNDED retries on purpose: a send that retried forever
// during a broker outage would hold its batch past shutdown; the pipeline retries the batch
// instead. kafkajs warns about that at every start; it is expected, so it goes to debug.
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

// A DLQ record is the original value plus a few headers, so the DLQ topic allows somewhat more
// than the broker's default 1 MB message size: an original that fit its topic fits here too.
export const DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** Create the topic and the dead-letter topic when missing (explicit: no broker auto-create). */
export async function ensureTopics(
  kafka: Kafka,
  opts: {
    /** named in the error when none answers */
    brokers: string[];
    topic: string;
    dlqTopic: string;
    partitions: number;
    /** KAFKA_TOPIC_REPLICATION_FACTOR; undefined = the broker's default.replication.factor */
    replicationFactor?: number;
  },
): Promise<{ created: string[] }> {
  const admin = kafka.admin();
  const contacted = Date.now();
  await admin.connect().catch((err: unknown) => {
    if (!isUnreachable(err)) throw err;
    const seconds = Math.round((Date.now() - contacted) / 1000);
    throw new Error(
      `kafka not reachable: tried ${opts.brokers.join(', ')} for ${seconds} s (${(err as Error).message})`,
      { cause: err },
    );
  });
  try {
    const existing = new Set(await admin.listTopics());
    const created: string[] = [];
    // kafkajs sends -1 (the broker's default) when replicationFactor is undefined
    const replicationFactor = opts.replicationFactor;
    const wanted = [
      { topic: opts.topic, numPartitions: opts.partitions, replicationFactor },
      {
        topic: opts.dlqTopic,
        numPartitions: opts.partitions,
        replicationFactor,
        configEntries: [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }],
      },
    ];
    for (const spec of wanted) {
      if (existing.has(spec.topic)) continue;
      try {
        // one topic per call: kafkajs fails the whole call when only some already exist
        if (await admin.createTopics({ topics: [spec], waitForLeaders: false })) {
          created.push(spec.topic);
        }
      } catch (err) {
        // another instance created it between listTopics and here
        if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw err;
      }
    }
    await waitForLeaders(admin, [opts.topic, opts.dlqTopic]);
    return { created };
  } finally {
    await admin.disconnect();
  }
}

/** What the broker enforces on a topic's records, read from its config (not assumed). */
export type TopicLimits = {
  /** `max.message.bytes`: the most bytes one record batch may take */
  maxMessageBytes: number;
  /** cleanup.policy includes compact: records need a key */
  compacted: boolean;
  /** where maxMessageBytes comes from: the topic's own setting, the broker's, or our fallback */
  source: string;
};

/** Kafka's default message.max.bytes, assumed when the config cannot be read (no ACL). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** The topic's effective limits (its own setting, else the broker's message.max.bytes). */
export async function readTopicLimits(kafka: Kafka, topic: string): Promise<TopicLimits> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          // the default export: Node's ESM named exports of kafkajs stop before this enum
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configNames: ['max.message.bytes', 'cleanup.policy'],
        },
      ],
    });
    const entries = resources[0]?.configEntries ?? [];
    const size = entries.find((e) => e.configName === 'max.message.bytes');
    const policy = entries.find((e) => e.configName === 'cleanup.policy');
    const bytes = Number(size?.configValue);
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new Error(`topic ${topic} reports max.message.bytes "${size?.configValue}"`);
    }
    return {
      maxMessageBytes: bytes,
      compacted: (policy?.configValue ?? '').includes('compact'),
      source: configSourceName(size?.configSource),
    };
  } finally {
    await admin.disconnect();
  }
}

// DescribeConfigs' ConfigSource (KIP-226)
function configSourceName(source: number | undefined): string {
  switch (source) {
    case 1:
      return 'topic config';
    case 2:
    case 3:
      return "broker's message.max.bytes (dynamic)";
    case 4:
      return "broker's message.max.bytes (server.properties)";
    case 5:
      return "Kafka's default message.max.bytes";
    default:
      return 'broker';
  }
}

// kafkajs's `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a broker that has not yet
// applied a new topic answers UNKNOWN_TOPIC_OR_PARTITION, and kafkajs then fails createTopics.
const NOT_YET_READY = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** Polls metadata until every partition of `topics` has a leader (a new topic propagates). */
export async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topics: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const ready =
        found.length === topics.length &&
        found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if (!NOT_YET_READY.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no leader for every partition of ${topics.join(', ')} within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export type GroupConsumer = {
  start(): Promise<void>;
  /** stop fetching, let the in-flight batch finish and commit, leave the group */
  stop(): Promise<void>;
  /** resume every partition paused after a failed batch */
  resumeAll(): void;
  /** latest per-partition lag from admin offsets (high watermark − committed) */
  fetchLag(): Promise<{ partition: number; lag: number }[]>;
};

export type GroupConsumerOptions = {
  kafka: Kafka;
  groupId: string;
  topic: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition?: number;
  /** KAFKA_SESSION_TIMEOUT_MS; the heartbeat interval follows from it */
  sessionTimeout?: number;
  logger: Logger;
  onBatch(batch: BatchControl): Promise<void>;
  onJoin(info: { memberId: string; partitions: number[] }): void;
  /** kafkajs crashed and will not restart itself: the process should exit non-zero */
  onFatal(err: Error): void;
  /** kafkajs crashed and restarts itself (readiness goes down until the next join) */
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
    maxWaitTimeInMs: 1_000,
    allowAutoTopicCreation: false,
  });
  let admin: Admin | undefined;

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = payload.memberAssignment[topic] ?? [];
    logger.info('joined consumer group', {
      groupId,
      memberId: payload.memberId,
      leader: payload.isLeader,
      partitions,
    });
    opts.onJoin({ memberId: payload.memberId, partitions });
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const err = payload.error;
    if (payload.restart) {
      logger.warn('consumer crashed, kafkajs restarts it', { err: { message: err.message } });
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
      isRunning: payload.isRunning,
      isStale: payload.isStale,
    });
  };

  return {
    async start() {
      await consumer.connect();
      // fromBeginning: a new group must not skip what was produced before its first commit
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        // never let kafkajs resolve a batch we did not finish (reliability-notes §(b))
        eachBatchAutoResolve: false,
        // The pipeline commits each batch's own partition (plain, or inside the dead letters' Kafka
        // transaction). kafkajs's auto-commit sends every partition's resolved offsets after any
        // batch, so a stale offset of partition A could land after A's transactional commit and
        // move the group back (a redelivery would repeat A's dead letters; seen in the fault suite).
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
      if (!admin) {
        admin = kafka.admin();
        await admin.connect();
      }
      const [committed, latest] = await Promise.all([
        admin.fetchOffsets({ groupId, topics: [topic] }),
        admin.fetchTopicOffsets(topic),
      ]);
      const committedBy = new Map<number, bigint>();
      for (const p of committed[0]?.partitions ?? []) {
        committedBy.set(p.partition, BigInt(p.offset));
      }
      return latest.map((p) => {
        const high = BigInt(p.high);
        const c = committedBy.get(p.partition) ?? -1n;
        const from = c >= 0n ? c : BigInt(p.low);
        return { partition: p.partition, lag: Number(high > from ? high - from : 0n) };
      });
    },
  };
}

/** Where a batch's dead letters come from: the consumer offset committed with them. */
export type SourceOffset = {
  groupId: string;
  topic: string;
  partition: number;
  /** the next offset to consume (last offset of the batch + 1) */
  offset: string;
};

export type DlqProducer = {
  /** connects and claims the transactional id (fences a previous process that had it) */
  connect(): Promise<void>;
  /**
   * One Kafka transaction: the records (acks=all) and the source partition's consumer offset.
   * Both become visible to read_committed readers together, or neither does.
   */
  sendWithOffset(topic: string, sends: OutboundRecord[][], source: SourceOffset): Promise<void>;
  disconnect(): Promise<void>;
};

export type DlqProducerOptions = {
  /**
   * Stable across restarts of one instance (a restart's initTransactions aborts the transaction a
   * killed process left open, at once) and unique among instances running at the same time.
   */
  transactionalId: string;
  transactionTimeoutMs?: number;
  /** test hook: the records are sent, the transaction (records + offset) is not committed yet */
  beforeCommit?(): void;
};

export function createDlqProducer(kafka: Kafka, opts: DlqProducerOptions): DlqProducer {
  const make = (): Producer =>
    kafka.producer({
      transactionalId: opts.transactionalId,
      transactionTimeout: opts.transactionTimeoutMs ?? 30_000,
      // kafkajs requires both for a transactional producer
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  let producer = make();
  // A failed commit or abort leaves kafkajs's transaction state machine stuck (COMMITTING /
  // ABORTING): such a producer is replaced; the new one's initTransactions aborts what is open.
  let broken = false;
  // kafkajs allows one transaction at a time per producer; partitions are processed in parallel
  let queue: Promise<unknown> = Promise.resolve();

  // initTransactions now, not at the first dead letter: it fences a killed predecessor with the same
  // id and aborts its open transaction, which otherwise holds back read_committed readers of the
  // DLQ until the transaction timeout. (An abort with nothing sent ends locally.)
  async function claim(p: Producer): Promise<void> {
    await p.connect();
    const txn = await p.transaction();
    await txn.abort();
  }

  async function transact(topic: string, sends: OutboundRecord[][], source: SourceOffset) {
    if (broken) {
      await producer.disconnect().catch(() => {});
      producer = make();
      await claim(producer);
      broken = false;
    }
    const txn = await producer.transaction();
    try {
      // one produce request per send: each stays under the topic's limit (dlq-records.ts)
      for (const records of sends) {
        await txn.send({ topic, acks: -1, messages: records });
      }
      await txn.sendOffsets({
        consumerGroupId: source.groupId,
        topics: [
          {
            topic: source.topic,
            partitions: [{ partition: source.partition, offset: source.offset }],
          },
        ],
      });
      opts.beforeCommit?.();
      await txn.commit();
    } catch (err) {
      // a failed commit leaves kafkajs in COMMITTING: no abort, no new transaction on this producer
      if (!txn.isActive()) broken = true;
      else
        await txn.abort().catch(() => {
          broken = true;
        });
      throw err;
    }
  }

  return {
    connect: () => claim(producer),
    sendWithOffset(topic, sends, source) {
      const run = queue.then(() => transact(topic, sends, source));
      queue = run.catch(() => {});
      return run;
    },
    async disconnect() {
      await queue;
      await producer.disconnect();
    },
  };
}
