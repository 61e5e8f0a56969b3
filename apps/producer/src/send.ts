// The only Kafka client importer of the producer: connects, creates the topic when missing, sends.
// @platformatic/kafka rather than kafkajs (which ingest consumes with): kafkajs spends ~36 µs of
// CPU per 1.3 KB message encoding a produce request (JS CRC32C, several zero-filled copies per
// record), platformatic ~11 µs, and only the latter reaches the 50,000 orders/s target here.
// Measured in bench/producer.bench.ts; README of this app has the figures.
import type { ConnectionOptions } from 'node:tls';
import type { KafkaSasl } from '@orders/config';
import {
  Admin,
  compatibilityPartitioner,
  findErrorBy,
  ProduceAcks,
  Producer,
  SASLMechanisms,
} from '@platformatic/kafka';
import type { OutgoingMessage } from './messages.ts';

export type SinkErrorCode = 'unreachable' | 'topic' | 'rejected' | 'send_failed';

export type SinkError = { code: SinkErrorCode; message: string };

/** `failed` lists the messages that were not delivered; `error` says why (the first reason). */
export type SendResult = { failed: readonly OutgoingMessage[]; error?: SinkError };

/** Where a run's messages go: Kafka, or stdout with --dry-run. Never throws. */
export type Sink = {
  send(messages: readonly OutgoingMessage[]): Promise<SendResult>;
  close(): Promise<void>;
};

export type Logger = {
  warn(message: string): void;
  debug(message: string): void;
};

export type KafkaSinkOptions = {
  brokers: string[];
  topic: string;
  /** Partitions when the topic has to be created (the same setting as ingest's). */
  partitions: number;
  /** undefined = the broker's default. */
  replicationFactor?: number;
  ssl?: false | ConnectionOptions;
  sasl?: KafkaSasl;
  clientId?: string;
  /** Per-connection timeout; default 2 s. */
  connectionTimeoutMs?: number;
  /** Deadline for connecting and preparing the topic, whatever the broker does; default 15 s. */
  connectDeadlineMs?: number;
  /** Deadline for one send request including retries; default 60 s. */
  sendDeadlineMs?: number;
};

type Value = string | Buffer | null;

// Kafka refuses a whole record batch (every message of one partition in a request) above
// message.max.bytes (1 MiB by default). So a request carries at most GROUP_BYTES of values,
// and a value above ALONE_BYTES goes in a request of its own: a --batch 5000 of 1.4 KB orders
// or an oversize test message then costs no valid order.
const GROUP_BYTES = 768 * 1024;
const ALONE_BYTES = 256 * 1024;

const SASL_MECHANISMS = {
  plain: SASLMechanisms.PLAIN,
  'scram-sha-256': SASLMechanisms.SCRAM_SHA_256,
  'scram-sha-512': SASLMechanisms.SCRAM_SHA_512,
} as const;

export async function createKafkaSink(
  options: KafkaSinkOptions,
): Promise<{ ok: true; sink: Sink } | { ok: false; error: SinkError }> {
  const connection = {
    clientId: options.clientId ?? 'orders-producer',
    bootstrapBrokers: options.brokers,
    connectTimeout: options.connectionTimeoutMs ?? 2000,
    // Large batches on a busy machine: give the broker time before a request counts as lost.
    requestTimeout: 30_000,
    // 3 retries 300 ms apart: a refused connection fails in about a second, not minutes.
    // (0 or 1 retries can leave a failed request unsettled in 2.12.1; 3 is tested.)
    retries: 3,
    retryDelay: 300,
    ...(options.ssl ? { tls: options.ssl } : {}),
    ...(options.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[options.sasl.mechanism],
            username: options.sasl.username,
            password: options.sasl.password,
          },
        }
      : {}),
  };
  const admin = new Admin(connection);
  const producer = new Producer<string, Value, string, string>({
    ...connection,
    idempotent: true,
    acks: ProduceAcks.ALL,
    // Java's murmur2 mapping: a key lands on the same partition as with kafkajs or Java clients.
    partitioner: compatibilityPartitioner,
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
  const closeAll = () => Promise.all([admin.close(), producer.close(true)]).then(() => {});

  const prepare = async (): Promise<SinkError | undefined> => {
    try {
      await admin.createTopics({
        topics: [options.topic],
        partitions: options.partitions,
        // -1 asks the broker for its default.replication.factor.
        replicas: options.replicationFactor ?? -1,
      });
    } catch (error) {
      // The topic may already exist (ingest, or an earlier run, made it): that is the normal case.
      if (!findErrorBy(error as Error, 'apiId', 'TOPIC_ALREADY_EXISTS')) {
        if (isNetwork(error)) return unreachable(options.brokers, error);
        return {
          code: 'topic',
          message: `cannot create topic ${options.topic}: ${describe(error)}`,
        };
      }
    } finally {
      await admin.close().catch(() => {});
    }
    try {
      // Registers the idempotent producer id now, so a broker problem shows before the first send.
      await producer.initIdempotentProducer({});
    } catch (error) {
      return unreachable(options.brokers, error);
    }
    return undefined;
  };

  const failure = await withDeadline(
    prepare(),
    options.connectDeadlineMs ?? 15_000,
    (ms): SinkError => ({
      code: 'unreachable',
      message: `cannot connect to Kafka at ${options.brokers.join(',')}: no answer within ${ms / 1000} s`,
    }),
  );
  if (failure) {
    await withDeadline(closeAll(), 2000, () => undefined).catch(() => {});
    return { ok: false, error: failure };
  }

  const sendDeadlineMs = options.sendDeadlineMs ?? 60_000;
  const sendGroup = async (group: readonly OutgoingMessage[]): Promise<SinkError | undefined> => {
    const messages = group.map((m) => ({ topic: options.topic, key: m.key, value: m.value }));
    try {
      // A deadline of our own: a request the client never settles must become an error.
      return await withDeadline(
        producer.send({ messages }).then(() => undefined),
        sendDeadlineMs,
        (ms): SinkError => ({
          code: 'send_failed',
          message: `no acknowledgement within ${ms / 1000} s`,
        }),
      );
    } catch (error) {
      const rejected = findErrorBy(error as Error, 'apiId', 'MESSAGE_TOO_LARGE') !== null;
      return { code: rejected ? 'rejected' : 'send_failed', message: describe(error) };
    }
  };

  return {
    ok: true,
    sink: {
      async send(messages) {
        const groups: OutgoingMessage[][] = [];
        let group: OutgoingMessage[] = [];
        let groupBytes = 0;
        for (const m of messages) {
          const size = byteLength(m.value);
          if (size > ALONE_BYTES) {
            groups.push([m]);
            continue;
          }
          if (groupBytes + size > GROUP_BYTES && group.length > 0) {
            groups.push(group);
            group = [];
            groupBytes = 0;
          }
          group.push(m);
          groupBytes += size;
        }
        if (group.length > 0) groups.push(group);
        const errors = await Promise.all(groups.map(sendGroup));
        const failed: OutgoingMessage[] = [];
        let firstError: SinkError | undefined;
        errors.forEach((error, i) => {
          if (!error) return;
          failed.push(...(groups[i] ?? []));
          firstError ??= error;
        });
        return firstError ? { failed, error: firstError } : { failed };
      },
      async close() {
        await withDeadline(closeAll(), 5000, () => undefined).catch(() => {});
      },
    },
  };
}

export function byteLength(value: OutgoingMessage['value']): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/** Resolves with `work`, or with `onTimeout(ms)` if it has not settled by then. */
function withDeadline<T, U>(
  work: Promise<T>,
  ms: number,
  onTimeout: (ms: number) => U,
): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function isNetwork(error: unknown): boolean {
  return findErrorBy(error as Error, 'code', 'PLT_KFK_NETWORK') !== null;
}

function unreachable(brokers: string[], error: unknown): SinkError {
  return {
    code: 'unreachable',
    message: `cannot connect to Kafka at ${brokers.join(',')}: ${describe(error)}`,
  };
}

/**
 * One line from a tree of errors (MultipleErrors → errors[] → cause): the deepest message is the
 * useful one ("connect ECONNREFUSED 127.0.0.1:9092", "The request included a message larger…").
 */
function describe(error: unknown): string {
  let e: unknown = error;
  let message = '';
  for (let depth = 0; depth < 8 && e && typeof e === 'object'; depth++) {
    const node = e as { message?: unknown; errors?: unknown; cause?: unknown };
    if (typeof node.message === 'string' && node.message !== '') message = node.message;
    e = Array.isArray(node.errors) && node.errors.length > 0 ? node.errors.at(-1) : node.cause;
  }
  return (message || String(error)).replace(/\s+/g, ' ').trim();
}
