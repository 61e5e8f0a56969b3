// The kafkajs client: the only place one is constructed, its log mapping, and withAdmin.
import type { ConnectionOptions } from 'node:tls';
import {
  type Admin,
  Kafka,
  type KafkaConfig,
  logLevel as KafkaLogLevel,
  type SASLOptions,
} from 'kafkajs';
import { createKafkaLogFilter, type KafkaLog } from './log-filter.ts';

/** A kafkajs client. Other modules of the repository never call its methods themselves. */
export type KafkaClient = Kafka;
export type { Admin, KafkaLog };

export type KafkaSasl = {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
};

export type KafkaSettings = {
  brokers: string[];
  clientId: string;
  /** false, or TLS options (from @orders/config readKafkaSsl) */
  ssl?: false | ConnectionOptions;
  sasl?: KafkaSasl;
  /** where the client's own log lines go (see createKafka); none: it logs nothing */
  log?: KafkaLog;
  /** per connection attempt; the client's default (1 s) when unset */
  connectionTimeoutMs?: number;
  /** per request; the client's default (30 s) when unset */
  requestTimeoutMs?: number;
  /** retries of a failed request; the client's defaults (5 retries from 300 ms, up to 30 s) when unset */
  retry?: { retries?: number; initialRetryTimeMs?: number; maxRetryTimeMs?: number };
};

/**
 * A client for `settings`. With `settings.log`: warnings and errors reach it (at `debug` level
 * the client's info lines too, as debug), except expected noise and transient states, which are
 * debug unless they persist (log-filter.ts).
 */
export function createKafka(settings: KafkaSettings): KafkaClient {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: KafkaLogLevel.NOTHING,
  };
  const log = settings.log;
  if (log) {
    // kafkajs logs a lot at INFO (joins, connections); only warnings and errors reach our log
    config.logLevel = log.level === 'debug' ? KafkaLogLevel.INFO : KafkaLogLevel.WARN;
    config.logCreator = () => createKafkaLogFilter({ log });
  }
  if (settings.connectionTimeoutMs !== undefined) {
    config.connectionTimeout = settings.connectionTimeoutMs;
  }
  if (settings.requestTimeoutMs !== undefined) config.requestTimeout = settings.requestTimeoutMs;
  if (settings.retry) {
    const { retries, initialRetryTimeMs, maxRetryTimeMs } = settings.retry;
    config.retry = {
      ...(retries === undefined ? {} : { retries }),
      ...(initialRetryTimeMs === undefined ? {} : { initialRetryTime: initialRetryTimeMs }),
      ...(maxRetryTimeMs === undefined ? {} : { maxRetryTime: maxRetryTimeMs }),
    };
  }
  if (settings.ssl) config.ssl = settings.ssl;
  if (settings.sasl) config.sasl = settings.sasl as SASLOptions;
  return new Kafka(config);
}

/** `kafka` itself, or a client for these settings. */
export const asClient = (kafka: KafkaClient | KafkaSettings): KafkaClient =>
  kafka instanceof Kafka ? kafka : createKafka(kafka);

/**
 * Connects an admin client, runs `fn` with it and disconnects, whatever `fn` does. A failed
 * connect rejects with the client's error (classify it with KafkaError.from).
 */
export async function withAdmin<T>(
  kafka: KafkaClient | KafkaSettings,
  fn: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = asClient(kafka).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
