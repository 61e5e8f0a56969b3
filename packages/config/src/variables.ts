import { adminTokens } from './admin-tokens.ts';
import { KAFKA_SASL_MECHANISMS, LOG_LEVELS } from './config.ts';
import {
  boolean,
  brokerList,
  bytes,
  duration,
  filePath,
  host,
  integer,
  oneOf,
  type Parser,
  pemOrPath,
  port,
  postgresHost,
  secret,
  text,
  topicName,
} from './parsers.ts';
import { POSTGRES_SSL_MODES, postgresUrl } from './postgres-url.ts';
import { producerVariables } from './producer-variables.ts';
import { tracingVariables } from './tracing-variables.ts';

/**
 * How a value is hidden in messages: `full` never shows it, `url` masks the password of a URL
 * (and all of a value that is not a valid one), `pem` shows a plain file path and nothing else.
 */
export type SecretKind = 'full' | 'url' | 'pem';

export type VariableSpec<T> = {
  group: string;
  /** One line, shown in .env.example and the README table. */
  description: string;
  /** Raw text, parsed by `parser` like any value; absent = optional or derived. */
  default?: string;
  /** For docs when there is no literal default (derived or optional). */
  defaultText?: string;
  secret?: SecretKind;
  /** Deprecated names from the seed service; the new name wins when both are set. */
  aliases?: readonly string[];
  parser: Parser<T>;
};

/**
 * Every environment variable the project reads, in documentation order. The one place names,
 * defaults and meanings live: loadConfig, .env.example and the README table come from here.
 */
export const variables = {
  LOG_LEVEL: {
    group: 'Logging',
    description: 'Level of the JSON logs: fatal, error, warn, info, debug, trace or silent.',
    default: 'info',
    parser: oneOf(LOG_LEVELS),
  },

  DATABASE_URL: {
    group: 'PostgreSQL',
    description:
      'Full connection URL; when set it wins over POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB, DB_HOST and DB_PORT.',
    defaultText: 'unset (built from the parts below)',
    secret: 'url',
    parser: postgresUrl,
  },
  POSTGRES_USER: {
    group: 'PostgreSQL',
    description: 'Role to connect as.',
    default: 'orders',
    parser: text(63),
  },
  POSTGRES_PASSWORD: {
    group: 'PostgreSQL',
    description: 'Password of that role.',
    default: 'orders',
    secret: 'full',
    parser: secret,
  },
  POSTGRES_DB: {
    group: 'PostgreSQL',
    description: 'Database holding the orders table.',
    default: 'orders',
    parser: text(63),
  },
  DB_HOST: {
    group: 'PostgreSQL',
    description: 'Server host name or IP, or a Unix socket directory.',
    default: '127.0.0.1',
    parser: postgresHost,
  },
  DB_PORT: {
    group: 'PostgreSQL',
    description: 'Server port.',
    default: '5432',
    parser: port,
  },
  DB_SSLMODE: {
    group: 'PostgreSQL',
    description:
      'TLS with libpq meaning: disable, require (encrypt, no verification), verify-ca, verify-full; or sslmode= in DATABASE_URL.',
    defaultText: 'unset (no TLS)',
    parser: oneOf(POSTGRES_SSL_MODES),
  },
  DB_SSL_ROOT_CERT: {
    group: 'PostgreSQL',
    description: 'Path of the CA certificate (PEM) that verifies the server; needed by verify-ca.',
    defaultText: 'unset',
    parser: filePath,
  },
  DB_POOL_MAX: {
    group: 'PostgreSQL',
    description: 'Connection pool size: parallel batch writers plus API read-through.',
    default: '4',
    aliases: ['MEMORY_HANDLER_GOROUTINES'],
    parser: integer(1, 100),
  },

  KAFKA_BROKERS: {
    group: 'Kafka',
    description: 'Bootstrap brokers, comma-separated host:port.',
    default: '127.0.0.1:9092',
    parser: brokerList,
  },
  KAFKA_TOPIC: {
    group: 'Kafka',
    description: 'Topic of incoming orders (created when missing).',
    default: 'orders',
    parser: topicName,
  },
  KAFKA_DLQ_TOPIC: {
    group: 'Kafka',
    description: 'Dead-letter topic for rejected messages (created when missing).',
    defaultText: '<KAFKA_TOPIC>.dlq',
    parser: topicName,
  },
  KAFKA_GROUP_ID: {
    group: 'Kafka',
    description: 'Consumer group of the ingest processes; instances in one group split partitions.',
    default: 'orders-ingest',
    parser: text(255),
  },
  KAFKA_TOPIC_PARTITIONS: {
    group: 'Kafka',
    description: 'Partitions when the service or the producer creates a topic.',
    default: '6',
    parser: integer(1, 10_000),
  },
  KAFKA_TOPIC_REPLICATION_FACTOR: {
    group: 'Kafka',
    description: 'Replication factor when creating a topic (managed clusters often need 3).',
    defaultText: "unset (the broker's default.replication.factor)",
    parser: integer(1, 100),
  },
  KAFKA_MAX_BYTES: {
    group: 'Kafka',
    description:
      'Largest accepted message value; larger ones are dead-lettered as too_large. Below the broker limit (1 MiB) so oversize messages reach the service.',
    default: '512KiB',
    parser: bytes(1024, 64 * 1024 ** 2),
  },
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: {
    group: 'Kafka',
    description: 'Most bytes fetched per partition per request (kafkajs maxBytesPerPartition).',
    default: '2MiB',
    parser: bytes(1024, 256 * 1024 ** 2),
  },
  KAFKA_SESSION_TIMEOUT_MS: {
    group: 'Kafka',
    description:
      'Consumer group session timeout: a member silent this long is evicted; a restart after a crash waits for that. Heartbeat: 3 s or a third if less.',
    default: '30000',
    // the broker's default group.min/max.session.timeout.ms: outside them it refuses the join
    parser: integer(6_000, 1_800_000),
  },
  KAFKA_SSL: {
    group: 'Kafka',
    description: 'Connect to the brokers over TLS.',
    default: '0',
    parser: boolean,
  },
  KAFKA_SSL_CA: {
    group: 'Kafka',
    description: 'CA certificate: a file path or inline PEM (needs KAFKA_SSL=1).',
    defaultText: 'unset (system CAs)',
    parser: pemOrPath,
  },
  KAFKA_SSL_CERT: {
    group: 'Kafka',
    description:
      'Client certificate for mutual TLS: a file path or inline PEM (with KAFKA_SSL_KEY).',
    defaultText: 'unset',
    parser: pemOrPath,
  },
  KAFKA_SSL_KEY: {
    group: 'Kafka',
    description:
      'Client private key for mutual TLS: a file path or inline PEM (with KAFKA_SSL_CERT).',
    defaultText: 'unset',
    secret: 'pem',
    parser: pemOrPath,
  },
  KAFKA_SSL_REJECT_UNAUTHORIZED: {
    group: 'Kafka',
    description: 'Verify the brokers’ certificates (0 only for testing).',
    default: '1',
    parser: boolean,
  },
  KAFKA_SASL_MECHANISM: {
    group: 'Kafka',
    description: 'SASL authentication: plain, scram-sha-256 or scram-sha-512.',
    defaultText: 'unset (no SASL)',
    parser: oneOf(KAFKA_SASL_MECHANISMS),
  },
  KAFKA_SASL_USERNAME: {
    group: 'Kafka',
    description: 'SASL user name (required with KAFKA_SASL_MECHANISM).',
    defaultText: 'unset',
    parser: text(1024),
  },
  KAFKA_SASL_PASSWORD: {
    group: 'Kafka',
    description: 'SASL password (required with KAFKA_SASL_MECHANISM).',
    defaultText: 'unset',
    secret: 'full',
    parser: secret,
  },

  INGEST_PARTITIONS_CONCURRENCY: {
    group: 'Ingest',
    description:
      'Partitions one ingest process works on at once, each batch its own transaction (kafkajs partitionsConsumedConcurrently).',
    default: '3',
    aliases: ['KAFKA_READER_GOROUTINES'],
    parser: integer(1, 1000),
  },
  INGEST_BATCH_SIZE: {
    group: 'Ingest',
    description:
      'Most orders per upsert statement; a larger Kafka batch is written as several statements in its one transaction.',
    default: '1000',
    parser: integer(1, 50_000),
  },
  KAFKA_WRITE_EXAMPLES: {
    group: 'Ingest',
    description:
      'Demo mode: the ingest process starts the producer CLI as a child process (PRODUCER_* settings).',
    default: '0',
    parser: boolean,
  },
  SHUTDOWN_TIMEOUT_MS: {
    group: 'Ingest',
    description:
      'Deadline in ms for a graceful stop after SIGTERM/SIGINT; keep it under the orchestrator’s grace period.',
    default: '10000',
    parser: integer(100, 600_000),
  },

  MEMORY_RESTORE_DATA: {
    group: 'Memory store',
    description:
      'At start, load the newest orders that fit the limits from PostgreSQL into memory.',
    default: '1',
    parser: boolean,
  },
  MEMORY_CLEANUP_MINUTES_INTERVAL: {
    group: 'Memory store',
    description: 'Minutes between sweeps that drop orders older than MEMORY_MAX_AGE from memory.',
    default: '10',
    parser: integer(1, 10_080),
  },
  MEMORY_ORDERS_LIMIT: {
    group: 'Memory store',
    description:
      'Most orders kept in memory, oldest evicted first (0 = none; reads go to PostgreSQL).',
    default: '100000',
    parser: integer(0, 100_000_000),
  },
  MEMORY_MAX_BYTES: {
    group: 'Memory store',
    description: 'Most bytes of order JSON kept in memory, oldest evicted first.',
    default: '256MiB',
    parser: bytes(0, 1024 ** 4),
  },
  MEMORY_MAX_AGE: {
    group: 'Memory store',
    description:
      'Orders whose date_created is older are dropped from memory (never from PostgreSQL); e.g. 14d, 36h, 90m.',
    default: '14d',
    parser: duration(1000, 3650 * 86_400_000),
  },

  SERVER_HOST: {
    group: 'HTTP server',
    description: 'Address the API listens on (0.0.0.0 = every interface, as containers need).',
    default: '0.0.0.0',
    parser: host,
  },
  SERVER_PORT: {
    group: 'HTTP server',
    description: 'Port of the API and web page.',
    default: '3000',
    parser: port,
  },
  SERVER_GET_ORDER_BY_ID: {
    group: 'HTTP server',
    description: 'GET /orders?id= reads a numeric id when 1, an order_uid when 0 (seed behaviour).',
    default: '1',
    parser: boolean,
  },
  SERVER_HEADERS_TIMEOUT_MS: {
    group: 'HTTP server',
    description: 'Time allowed to receive request headers (Node headersTimeout).',
    default: '10000',
    parser: integer(1000, 600_000),
  },
  SERVER_REQUEST_TIMEOUT_MS: {
    group: 'HTTP server',
    description:
      'Time allowed to receive a whole request (Node requestTimeout); at least the headers timeout.',
    default: '30000',
    parser: integer(1000, 3_600_000),
  },
  SERVER_KEEP_ALIVE_TIMEOUT_MS: {
    group: 'HTTP server',
    description: 'Idle keep-alive connection lifetime (Node keepAliveTimeout); above 60 s LB idle.',
    default: '65000',
    parser: integer(1000, 600_000),
  },

  ADMIN_TOKENS: {
    group: 'Admin API',
    description:
      'Bearer tokens of the /dead-letters admin API, name=secret pairs separated by commas (ops=…,ci=…); the name is recorded for audit. Unset: the admin API is off (404).',
    defaultText: 'unset (admin API off)',
    secret: 'full',
    parser: adminTokens,
  },

  ...tracingVariables,

  ...producerVariables,
} as const satisfies Record<string, VariableSpec<unknown>>;

export type VariableName = keyof typeof variables;

/** The parsed value of each variable: always present when it has a default. */
export type VariableValues = {
  [K in VariableName]: (typeof variables)[K] extends VariableSpec<infer T>
    ? (typeof variables)[K] extends { default: string }
      ? T
      : T | undefined
    : never;
};

export type VariableEntry = VariableSpec<unknown> & { name: VariableName };

export const variableList: readonly VariableEntry[] = Object.entries(variables).map(
  ([name, spec]) => ({ name: name as VariableName, ...spec }),
);
