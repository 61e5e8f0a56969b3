// The producer's Kafka sink: connects, creates the topic when missing, sends. The client is
// @orders/kafka's createFastProducer (@platformatic/kafka: kafkajs's produce path is ~3x the CPU
// per message, see README "Delivery"); measured in bench/producer.bench.ts.
import type { ConnectionOptions } from 'node:tls';
import type { KafkaSasl } from '@orders/config';
import { createFastProducer, type FastRecord, KafkaError } from '@orders/kafka';
import { noopTracing, type Tracing } from '@orders/tracing';
import type { OutgoingMessage } from './messages.ts';
import { traceMessages } from './trace-messages.ts';

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
  /** a producer span per message, its traceparent in the message's headers; default off */
  tracing?: Tracing;
};

// Kafka refuses a whole record batch (every message of one partition in a request) above
// message.max.bytes (1 MiB by default). So a request carries at most GROUP_BYTES of values,
// and a value above ALONE_BYTES goes in a request of its own: a --batch 5000 of 1.4 KB orders
// or an oversize test message then costs no valid order.
const GROUP_BYTES = 768 * 1024;
const ALONE_BYTES = 256 * 1024;

export async function createKafkaSink(
  options: KafkaSinkOptions,
): Promise<{ ok: true; sink: Sink } | { ok: false; error: SinkError }> {
  const producer = createFastProducer({
    clientId: options.clientId ?? 'orders-producer',
    brokers: options.brokers,
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 2000,
    // Large batches on a busy machine: give the broker time before a request counts as lost.
    requestTimeoutMs: 30_000,
    // 3 retries 300 ms apart: a refused connection fails in about a second, not minutes.
    // (0 or 1 retries can leave a failed request unsettled in 2.12.1; 3 is tested.)
    retries: 3,
    retryDelayMs: 300,
  });
  const closeAll = () => producer.close();

  const prepare = async (): Promise<SinkError | undefined> => {
    try {
      // an existing topic (ingest, or an earlier run, made it) is the normal case
      await producer.createTopic(options.topic, {
        partitions: options.partitions,
        replicationFactor: options.replicationFactor,
      });
    } catch (error) {
      if (KafkaError.from(error).unreachable) return unreachable(options.brokers, error);
      return {
        code: 'topic',
        message: `cannot create topic ${options.topic}: ${describe(error)}`,
      };
    }
    try {
      // Registers the idempotent producer id now, so a broker problem shows before the first send.
      await producer.init();
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
  const tracing = options.tracing ?? noopTracing;
  const sendGroup = async (group: readonly OutgoingMessage[]): Promise<SinkError | undefined> => {
    const messages: FastRecord[] = group.map((m) => ({
      topic: options.topic,
      key: m.key,
      value: m.value,
    }));
    if (tracing.enabled) {
      const spans = traceMessages(tracing, options.topic, messages);
      const error = await sendRecords(messages);
      for (const span of spans) {
        if (error) span.fail(new Error(error.message));
        span.end();
      }
      return error;
    }
    return sendRecords(messages);
  };
  const sendRecords = async (messages: FastRecord[]): Promise<SinkError | undefined> => {
    try {
      // A deadline of our own: a request the client never settles must become an error.
      return await withDeadline(
        producer.send(messages).then(() => undefined),
        sendDeadlineMs,
        (ms): SinkError => ({
          code: 'send_failed',
          message: `no acknowledgement within ${ms / 1000} s`,
        }),
      );
    } catch (error) {
      // the broker refused the records themselves (too large, invalid): sending again cannot help
      const rejected = KafkaError.from(error).recordRefused;
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
