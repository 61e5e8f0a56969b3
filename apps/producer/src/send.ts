// The only kafkajs importer of the producer: connects, creates the topic when missing, sends.
import type { ConnectionOptions } from 'node:tls';
import {
  CompressionTypes,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
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
  sasl?: SASLOptions;
  clientId?: string;
  /** kafkajs' own log lines go here at debug (retries are expected and would drown the CLI). */
  logger?: Logger;
  /** Per-connection timeout; a whole failed connect takes about 4× this plus backoff. */
  connectionTimeoutMs?: number;
  /** Deadline for connecting and preparing the topic, whatever the broker does; default 15 s. */
  connectDeadlineMs?: number;
};

// A value above this is sent in a request of its own: Kafka refuses a whole record batch
// (every message of the partition in that request) when the batch exceeds message.max.bytes.
const ALONE_BYTES = 256 * 1024;

export async function createKafkaSink(
  options: KafkaSinkOptions,
): Promise<{ ok: true; sink: Sink } | { ok: false; error: SinkError }> {
  const logger = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'orders-producer',
    brokers: options.brokers,
    ...(options.ssl ? { ssl: options.ssl } : {}),
    ...(options.sasl ? { sasl: options.sasl } : {}),
    connectionTimeout: options.connectionTimeoutMs ?? 2000,
    // Large batches on a busy machine: give the broker time before a request counts as lost.
    requestTimeout: 30_000,
    // Connect fails within ~10 s when nothing answers, instead of kafkajs' minutes.
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      logger?.debug(`kafkajs ${entry.namespace}: ${entry.log.message}`);
    },
  });
  const admin = kafka.admin();
  const producer: Producer = kafka.producer({
    idempotent: true,
    // The idempotent producer keeps ordering with up to 5 requests in flight per broker.
    maxInFlightRequests: 5,
    // kafkajs retries idempotent sends forever by default; a load generator should give up and
    // say so. A retried send keeps its sequence numbers, so the broker still drops duplicates.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
    allowAutoTopicCreation: false,
    // Java-compatible murmur2: the same key lands on the same partition as with other clients.
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  const prepare = async (): Promise<SinkError | undefined> => {
    try {
      await admin.connect();
    } catch (error) {
      return unreachable(options.brokers, error);
    }
    try {
      // Resolves false when the topic exists (ingest may have made it): nothing to do then.
      await admin.createTopics({
        topics: [
          {
            topic: options.topic,
            numPartitions: options.partitions,
            ...(options.replicationFactor === undefined
              ? {}
              : { replicationFactor: options.replicationFactor }),
          },
        ],
        waitForLeaders: true,
      });
    } catch (error) {
      return { code: 'topic', message: `cannot create topic ${options.topic}: ${describe(error)}` };
    } finally {
      await admin.disconnect().catch(() => {});
    }
    try {
      await producer.connect();
    } catch (error) {
      return unreachable(options.brokers, error);
    }
    return undefined;
  };

  // A broker that accepts connections but never answers would hold kafkajs for minutes.
  const deadlineMs = options.connectDeadlineMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<SinkError>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          code: 'unreachable',
          message: `cannot connect to Kafka at ${options.brokers.join(',')}: no answer within ${deadlineMs / 1000} s`,
        }),
      deadlineMs,
    );
  });
  const prepared = prepare();
  const failure = await Promise.race([prepared, deadline]);
  clearTimeout(timer);
  if (failure) {
    // Don't wait for kafkajs to notice: close whatever the attempt opens once it settles.
    const close = () => Promise.all([admin.disconnect(), producer.disconnect()]).catch(() => {});
    void prepared.then(close, close);
    void close();
    return { ok: false, error: failure };
  }

  const sendGroup = async (group: readonly OutgoingMessage[]): Promise<SinkError | undefined> => {
    try {
      await producer.send({
        topic: options.topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: group.map((m) => ({ key: m.key, value: m.value })),
      });
      return undefined;
    } catch (error) {
      const rejected = protocolType(error) === 'MESSAGE_TOO_LARGE';
      return { code: rejected ? 'rejected' : 'send_failed', message: describe(error) };
    }
  };

  return {
    ok: true,
    sink: {
      async send(messages) {
        const normal: OutgoingMessage[] = [];
        const alone: OutgoingMessage[] = [];
        for (const m of messages) (byteLength(m.value) > ALONE_BYTES ? alone : normal).push(m);
        const failed: OutgoingMessage[] = [];
        let firstError: SinkError | undefined;
        const groups = alone.map((m) => [m]);
        if (normal.length > 0) groups.unshift(normal);
        const errors = await Promise.all(groups.map(sendGroup));
        errors.forEach((error, i) => {
          if (!error) return;
          failed.push(...(groups[i] ?? []));
          firstError ??= error;
        });
        return firstError ? { failed, error: firstError } : { failed };
      },
      async close() {
        await producer.disconnect().catch(() => {});
      },
    },
  };
}

export function byteLength(value: OutgoingMessage['value']): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

function unreachable(brokers: string[], error: unknown): SinkError {
  return {
    code: 'unreachable',
    message: `cannot connect to Kafka at ${brokers.join(',')}: ${describe(error)}`,
  };
}

function protocolType(error: unknown): string | undefined {
  let e: unknown = error;
  // KafkaJSNumberOfRetriesExceeded wraps the last error in `cause` (older kafkajs: originalError).
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const record = e as { type?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof record.type === 'string') return record.type;
    e = record.cause ?? record.originalError;
  }
  return undefined;
}

/** One line: the deepest kafkajs message is the useful one ("connect ECONNREFUSED …"). */
function describe(error: unknown): string {
  const messages: string[] = [];
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const record = e as { message?: unknown; cause?: unknown; originalError?: unknown };
    if (typeof record.message === 'string' && record.message !== '') messages.push(record.message);
    e = record.cause ?? record.originalError;
  }
  const last = messages[messages.length - 1] ?? String(error);
  return last.replace(/\s+/g, ' ').trim();
}
