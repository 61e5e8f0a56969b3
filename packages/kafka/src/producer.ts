// A plain producer (acks from all in-sync replicas, idempotent, no topic auto-creation) for the
// test kit, the tests, the benchmarks and the fault suite; and the default partitioner's choice
// for a key.
import { Partitioners } from 'kafkajs';
import { asClient, type KafkaClient, type KafkaSettings } from './client.ts';

export type ProducedRecord = {
  key?: Buffer | string | null;
  /** null: a tombstone */
  value: Buffer | string | null;
  /** explicit partition; else the default partitioner's choice for the key (see javaPartition) */
  partition?: number;
  headers?: Record<string, Buffer | string | (Buffer | string)[]>;
};

/** Where one send's records went: the first offset given to each partition's records. */
export type SendAck = { partition: number; baseOffset: string };

export type RecordProducer = {
  /** one request (per leader), acks=all; resolves once every record is acknowledged */
  send(topic: string, records: ProducedRecord[], opts?: { timeoutMs?: number }): Promise<SendAck[]>;
  close(): Promise<void>;
};

export type RecordProducerOptions = {
  /** 1: a request acknowledged has offsets after those of every request acknowledged before it */
  maxInFlightRequests?: number;
  /**
   * Default true, as the Java client's since Kafka 3.0: the broker drops a retried request's
   * duplicate. Without it a send is not safe to retry: kafkajs resends a leader's whole request
   * when one of its partitions errs (NOT_LEADER_OR_FOLLOWER on a topic just created), so the
   * partitions that were written get their records twice (fresh-clone CIs read 40 and 50 of 30).
   * kafkajs requires maxInFlightRequests 1 with it.
   */
  idempotent?: boolean;
};

/** A connected producer. */
export async function createProducer(
  kafka: KafkaClient | KafkaSettings,
  opts: RecordProducerOptions = {},
): Promise<RecordProducer> {
  const producer = asClient(kafka).producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(opts.idempotent === false
      ? opts.maxInFlightRequests === undefined
        ? {}
        : { maxInFlightRequests: opts.maxInFlightRequests }
      : { idempotent: true, maxInFlightRequests: 1 }),
  });
  await producer.connect();
  return {
    async send(topic, records, sendOpts = {}) {
      const result = await producer.send({
        topic,
        acks: -1,
        ...(sendOpts.timeoutMs === undefined ? {} : { timeout: sendOpts.timeoutMs }),
        messages: records,
      });
      return result.map((r) => ({ partition: r.partition, baseOffset: r.baseOffset ?? '-1' }));
    },
    close: () => producer.disconnect(),
  };
}

const defaultPartitioner = Partitioners.DefaultPartitioner();

/**
 * The partition the default partitioner gives `key` over `partitions`: murmur2 as in the Java
 * client (and kafkajs, and @platformatic/kafka's compatibilityPartitioner).
 */
export function javaPartition(key: Buffer | string, partitions: number): number {
  return defaultPartitioner({
    topic: 'any',
    partitionMetadata: Array.from({ length: partitions }, (_, i) => ({
      partitionErrorCode: 0,
      partitionId: i,
      leader: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key, value: null },
  });
}
