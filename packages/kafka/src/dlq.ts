// Dead letters on Kafka: the header contract every writer and reader of the dead-letter topic
// shares, and the transactional producer that publishes a batch's letters with its offset.
import type { Producer } from 'kafkajs';
import type { KafkaClient } from './client.ts';
import type { OutboundRecord } from './record-size.ts';

/** Header names on dead letters (Kafka Connect uses a similar `__connect.errors.*` family). */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  problems: 'x-dlq-problems',
  topic: 'x-dlq-source-topic',
  partition: 'x-dlq-source-partition',
  offset: 'x-dlq-source-offset',
  timestamp: 'x-dlq-source-timestamp',
  // only on a letter cut to fit the DLQ topic's limit
  valueTruncated: 'x-dlq-value-truncated',
  valueBytes: 'x-dlq-value-bytes',
  valueSha256: 'x-dlq-value-sha256',
  originalHeadersDropped: 'x-dlq-original-headers-dropped',
  keyBytes: 'x-dlq-key-bytes',
  keySha256: 'x-dlq-key-sha256',
} as const;

/**
 * The source message's own headers travel under this prefix, never as they are: a producer cannot
 * forge an x-dlq-* header (its own `x-dlq-reason` arrives as `x-dlq-original-x-dlq-reason`).
 */
export const ORIGINAL_HEADER_PREFIX = 'x-dlq-original-';

// A DLQ record is the original value plus a few headers, so the DLQ topic allows somewhat more
// than the broker's default 1 MB message size: an original that fit its topic fits here too.
export const DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

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
   * One Kafka transaction: the records (acks=all), one produce request per element of `sends`,
   * and the source partition's consumer offset. Both become visible to read_committed readers
   * together, or neither does. Rejects with the client's error (classify it with KafkaError.from).
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

export function createDlqProducer(kafka: KafkaClient, opts: DlqProducerOptions): DlqProducer {
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
      // one produce request per send: each stays under the topic's limit (record-size.ts)
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
