import type { AdminToken } from './admin-tokens.ts';
import type { PemSource } from './parsers.ts';
import type { PostgresSslMode } from './postgres-url.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** OTEL_TRACES_SAMPLER's values (the OpenTelemetry SDK environment specification). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/** kafkajs `SASLOptions` for these mechanisms. */
export type KafkaSasl = { mechanism: KafkaSaslMechanism; username: string; password: string };

/**
 * TLS towards the brokers. CA, certificate and key are given as paths or inline PEM; loadConfig
 * reads no files — `readKafkaSsl` turns this into kafkajs' `ssl` option.
 */
export type KafkaSslConfig = {
  rejectUnauthorized: boolean;
  ca?: PemSource;
  cert?: PemSource;
  key?: PemSource;
};

export type Config = {
  logLevel: LogLevel;
  postgres: {
    /** Ready for `new pg.Pool({ connectionString })`: DATABASE_URL or built from the parts, with TLS. */
    connectionString: string;
    /** Where it points, for logs (the password is only in connectionString). */
    host: string;
    port: number;
    database: string;
    user: string;
    /** Effective sslmode (libpq meaning); undefined = pg's default, no TLS. */
    sslMode: PostgresSslMode | undefined;
    /** pg pool size (DB_POOL_MAX): parallel batch writers + API read-through. */
    poolMax: number;
  };
  kafka: {
    brokers: string[];
    topic: string;
    dlqTopic: string;
    groupId: string;
    /** Partitions of the topic and the dead-letter topic when the service creates them. */
    topicPartitions: number;
    /** undefined = the broker's default.replication.factor */
    replicationFactor: number | undefined;
    /** Largest accepted message value; larger ones are dead-lettered as too_large. */
    maxMessageBytes: number;
    /** kafkajs consumer maxBytesPerPartition. */
    fetchMaxBytesPerPartition: number;
    /** kafkajs consumer sessionTimeout (the heartbeat interval is derived from it). */
    sessionTimeoutMs: number;
    ssl: false | KafkaSslConfig;
    sasl: KafkaSasl | undefined;
  };
  ingest: {
    /** kafkajs partitionsConsumedConcurrently. */
    partitionsConcurrency: number;
    /** INGEST_BATCH_SIZE: most rows per upsert statement (each Kafka batch is one transaction). */
    batchSize: number;
    /** KAFKA_WRITE_EXAMPLES: ingest starts the producer CLI as a child process (demo mode). */
    writeExamples: boolean;
    /** Deadline for a graceful stop after SIGTERM/SIGINT. */
    shutdownTimeoutMs: number;
  };
  /** Field names match @orders/store's createOrderStore options. */
  memory: {
    restore: boolean;
    cleanupIntervalMs: number;
    maxOrders: number;
    maxBytes: number;
    maxAgeMs: number;
  };
  server: {
    host: string;
    port: number;
    /** `GET /orders?id=` reads a numeric id when true, an order_uid when false (seed compatibility). */
    getOrderById: boolean;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  admin: {
    /** ADMIN_TOKENS: the admin API's bearer tokens; empty = the admin API is off. */
    tokens: AdminToken[];
  };
  /** OpenTelemetry tracing (@orders/tracing's TracingOptions); off without an endpoint. */
  tracing: {
    /** OTEL_EXPORTER_OTLP_ENDPOINT, the OTLP/HTTP base URL; undefined = tracing off */
    endpoint: string | undefined;
    sampler: TracesSampler;
    /** OTEL_TRACES_SAMPLER_ARG: the ratio of the *traceidratio samplers */
    samplerArg: number;
    /** OTEL_SERVICE_NAME; undefined = each app's own (orders-ingest, orders-producer) */
    serviceName: string | undefined;
  };
  /** Defaults for the producer; its command-line flags win. */
  producer: {
    /** 0 = until stopped */
    count: number;
    /** orders per second; 0 = as fast as possible */
    rate: number;
    concurrency: number;
    batch: number;
    invalidRatio: number;
    duplicateRatio: number;
    updateRatio: number;
    /** undefined = random */
    seed: number | undefined;
  };
};
