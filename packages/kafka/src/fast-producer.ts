// The load generator's producer, on @platformatic/kafka rather than kafkajs: kafkajs spends ~36 µs
// of CPU per 1.3 KB message encoding a produce request (JS CRC32C, several zero-filled copies per
// record), platformatic ~11 µs, and only the latter reaches the producer's 50,000 orders/s target
// (apps/producer/README.md has the figures). Idempotent, acks from all in-sync replicas, Java's
// murmur2 partitioner (a key lands where kafkajs or a Java client would put it).
import type { Producer } from '@platformatic/kafka';
import { KafkaError } from './errors.ts';
import {
  loadPlatformatic,
  type Platformatic,
  type PlatformaticSettings,
  platformaticConnection,
} from './platformatic.ts';

export type FastProducerOptions = PlatformaticSettings;

export type FastRecord = {
  topic: string;
  key: string;
  /** null: a tombstone */
  value: string | Buffer | null;
  /** e.g. the W3C traceparent of the message's producer span */
  headers?: Record<string, string>;
};

export type FastProducer = {
  /**
   * Creates `topic` unless it exists (then nothing happens), with its own short-lived admin
   * connection. Rejects with the client's error otherwise (classify it with KafkaError.from).
   */
  createTopic(
    topic: string,
    opts: { partitions: number; replicationFactor?: number },
  ): Promise<void>;
  /** registers the idempotent producer id, so a broker problem shows before the first send */
  init(): Promise<void>;
  /** one produce request; resolves once every record is acknowledged */
  send(records: FastRecord[]): Promise<void>;
  /** closes the producer (and the admin connection if still open) */
  close(): Promise<void>;
};

type Value = string | Buffer | null;

function clients(m: Platformatic, options: FastProducerOptions) {
  const connection = platformaticConnection(m, options);
  const admin = new m.Admin(connection);
  const producer: Producer<string, Value, string, string> = new m.Producer({
    ...connection,
    idempotent: true,
    acks: m.ProduceAcks.ALL,
    partitioner: m.compatibilityPartitioner,
    autocreateTopics: false,
    serializers: {
      key: (key) => (key === undefined ? undefined : Buffer.from(key)),
      // null → no value: a tombstone.
      value: (value) =>
        value === undefined || value === null
          ? undefined
          : typeof value === 'string'
            ? Buffer.from(value)
            : value,
      headerKey: (key) => (key === undefined ? undefined : Buffer.from(key)),
      headerValue: (value) => (value === undefined ? undefined : Buffer.from(value)),
    },
  });
  return { admin, producer };
}

/** The clients are made once the module has loaded: every call waits for that first. */
export function createFastProducer(options: FastProducerOptions): FastProducer {
  const made = loadPlatformatic().then((m) => clients(m, options));
  // a failed load surfaces at the first call, not as an unhandled rejection
  made.catch(() => {});

  return {
    async createTopic(topic, opts) {
      const { admin } = await made;
      try {
        await admin.createTopics({
          topics: [topic],
          partitions: opts.partitions,
          // -1 asks the broker for its default.replication.factor.
          replicas: opts.replicationFactor ?? -1,
        });
      } catch (error) {
        // The topic may already exist (ingest, or an earlier run, made it): the normal case.
        if (KafkaError.from(error).type !== 'TOPIC_ALREADY_EXISTS') throw error;
      } finally {
        await admin.close().catch(() => {});
      }
    },
    async init() {
      const { producer } = await made;
      await producer.initIdempotentProducer({});
    },
    async send(records) {
      const { producer } = await made;
      await producer.send({ messages: records });
    },
    async close() {
      const { admin, producer } = await made;
      await Promise.all([admin.close(), producer.close(true)]);
    },
  };
}
