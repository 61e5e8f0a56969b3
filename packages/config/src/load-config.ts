import type { Config, KafkaSslConfig } from './config.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { displayValue } from './mask.ts';
import { topicName } from './parsers.ts';
import { describeUrl, partsToUrl, toConnectionString } from './postgres-url.ts';
import { type Env, readVariable, type Source } from './source.ts';
import {
  type VariableName,
  type VariableSpec,
  type VariableValues,
  variableList,
  variables,
} from './variables.ts';

export type { Env } from './source.ts';

export type LoadConfigResult =
  | { ok: true; config: Config; warnings: string[] }
  | { ok: false; error: ConfigError; warnings: string[] };

/**
 * Parses every variable once from `env` (pass `process.env` from an app's main.ts; this package
 * never reads it itself) and checks the settings that depend on each other. Never throws on bad
 * input: the error lists every problem at once. Unset and empty values take the default.
 */
export function loadConfig(env: Env): LoadConfigResult {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const values: Record<string, unknown> = {};
  const sources: Partial<Record<VariableName, Source>> = {};
  const failed = new Set<VariableName>();

  for (const spec of variableList) {
    const read = readVariable(env, spec, warnings);
    if (read.source) sources[spec.name] = read.source;
    if (read.status === 'ok') {
      values[spec.name] = read.value;
    } else if (read.status === 'invalid') {
      failed.add(spec.name);
      issues.push(read.issue);
    }
  }
  warnings.push(...nearMisses(env));

  // Cross-field checks look only at variables that parsed, so one mistake is reported once.
  const v = values as VariableValues;
  const ctx: CheckContext = {
    v,
    sources,
    isSet: (name) => sources[name] !== undefined && !failed.has(name),
    isBad: (name) => failed.has(name),
    issue(code, name, expected) {
      const source = sources[name];
      issues.push({
        code,
        name: source?.name ?? name,
        expected,
        ...(source ? { value: displayValue(source.raw, secretOf(name)) } : {}),
      });
    },
  };
  checkSasl(ctx);
  checkKafkaSsl(ctx);
  checkPostgresTls(ctx);
  checkTopics(ctx);
  checkServerTimeouts(ctx);
  checkProducerRatios(ctx, issues);

  if (issues.length > 0) return { ok: false, error: new ConfigError(issues), warnings };

  if (v.DB_POOL_MAX <= v.INGEST_PARTITIONS_CONCURRENCY) {
    warnings.push(
      `DB_POOL_MAX (${v.DB_POOL_MAX}) is not above INGEST_PARTITIONS_CONCURRENCY (${v.INGEST_PARTITIONS_CONCURRENCY}): batch writers and API read-through will wait for connections`,
    );
  }
  return { ok: true, config: buildConfig(v), warnings };
}

/**
 * The configuration of an empty environment, every variable at its default: for tests and
 * benchmarks that run a component as it ships (a test asserts the defaults load).
 */
export function defaultConfig(): Config {
  const loaded = loadConfig({});
  if (!loaded.ok) throw loaded.error;
  return loaded.config;
}

function secretOf(name: VariableName): VariableSpec<unknown>['secret'] {
  const spec: VariableSpec<unknown> = variables[name];
  return spec.secret;
}

type CheckContext = {
  v: VariableValues;
  sources: Partial<Record<VariableName, Source>>;
  /** set by the operator and valid */
  isSet(name: VariableName): boolean;
  isBad(name: VariableName): boolean;
  issue(code: ConfigIssue['code'], name: VariableName, expected: string): void;
};

function checkSasl({ isSet, isBad, issue }: CheckContext): void {
  if (isSet('KAFKA_SASL_MECHANISM')) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!isSet(name) && !isBad(name)) {
        issue('required', name, 'a value when KAFKA_SASL_MECHANISM is set');
      }
    }
  } else if (
    !isBad('KAFKA_SASL_MECHANISM') &&
    (isSet('KAFKA_SASL_USERNAME') || isSet('KAFKA_SASL_PASSWORD'))
  ) {
    issue(
      'required',
      'KAFKA_SASL_MECHANISM',
      'plain, scram-sha-256 or scram-sha-512 when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    );
  }
}

function checkKafkaSsl({ v, isSet, isBad, issue }: CheckContext): void {
  const files = (['KAFKA_SSL_CA', 'KAFKA_SSL_CERT', 'KAFKA_SSL_KEY'] as const).filter(isSet);
  if (files.length > 0 && !isBad('KAFKA_SSL') && !v.KAFKA_SSL) {
    issue('required', 'KAFKA_SSL', `1 or true when ${files.join(', ')} is set`);
  }
  if (isSet('KAFKA_SSL_CERT') && !isSet('KAFKA_SSL_KEY') && !isBad('KAFKA_SSL_KEY')) {
    issue('required', 'KAFKA_SSL_KEY', 'the client key when KAFKA_SSL_CERT is set');
  }
  if (isSet('KAFKA_SSL_KEY') && !isSet('KAFKA_SSL_CERT') && !isBad('KAFKA_SSL_CERT')) {
    issue('required', 'KAFKA_SSL_CERT', 'the client certificate when KAFKA_SSL_KEY is set');
  }
}

function checkPostgresTls({ v, isSet, isBad, issue }: CheckContext): void {
  if (isBad('DATABASE_URL') || isBad('DB_SSLMODE') || isBad('DB_SSL_ROOT_CERT')) return;
  const url = v.DATABASE_URL;
  const urlMode = url?.searchParams.get('sslmode') ?? undefined;
  const urlRootCert = url?.searchParams.get('sslrootcert') ?? undefined;
  if (urlMode !== undefined && v.DB_SSLMODE !== undefined && urlMode !== v.DB_SSLMODE) {
    issue('conflict', 'DB_SSLMODE', `to be unset or agree with sslmode=${urlMode} in DATABASE_URL`);
    return;
  }
  if (
    urlRootCert !== undefined &&
    v.DB_SSL_ROOT_CERT !== undefined &&
    urlRootCert !== v.DB_SSL_ROOT_CERT
  ) {
    issue('conflict', 'DB_SSL_ROOT_CERT', 'to be unset or agree with sslrootcert in DATABASE_URL');
    return;
  }
  const mode = urlMode ?? v.DB_SSLMODE;
  const rootCert = urlRootCert ?? v.DB_SSL_ROOT_CERT;
  if (isSet('DB_SSL_ROOT_CERT') && (mode === undefined || mode === 'disable')) {
    issue(
      'required',
      'DB_SSLMODE',
      'require, verify-ca or verify-full when DB_SSL_ROOT_CERT is set (or sslmode= in DATABASE_URL)',
    );
  }
  if (mode === 'verify-ca' && rootCert === undefined) {
    issue('required', 'DB_SSL_ROOT_CERT', 'the CA certificate path when sslmode is verify-ca');
  }
}

function checkTopics({ v, isSet, isBad, issue }: CheckContext): void {
  if (isBad('KAFKA_TOPIC') || isBad('KAFKA_DLQ_TOPIC')) return;
  if (isSet('KAFKA_DLQ_TOPIC')) {
    if (v.KAFKA_DLQ_TOPIC === v.KAFKA_TOPIC) {
      issue(
        'conflict',
        'KAFKA_DLQ_TOPIC',
        'a topic other than KAFKA_TOPIC (dead letters would loop)',
      );
    }
  } else if (!topicName.parse(`${v.KAFKA_TOPIC}.dlq`).ok) {
    issue('required', 'KAFKA_DLQ_TOPIC', 'a name to be set: <KAFKA_TOPIC>.dlq is too long');
  }
}

function checkServerTimeouts({ v, isBad, issue }: CheckContext): void {
  if (isBad('SERVER_HEADERS_TIMEOUT_MS') || isBad('SERVER_REQUEST_TIMEOUT_MS')) return;
  // Node refuses a headersTimeout above requestTimeout.
  if (v.SERVER_HEADERS_TIMEOUT_MS > v.SERVER_REQUEST_TIMEOUT_MS) {
    issue(
      'conflict',
      'SERVER_HEADERS_TIMEOUT_MS',
      `at most SERVER_REQUEST_TIMEOUT_MS (${v.SERVER_REQUEST_TIMEOUT_MS})`,
    );
  }
}

const RATIOS = [
  'PRODUCER_INVALID_RATIO',
  'PRODUCER_DUPLICATE_RATIO',
  'PRODUCER_UPDATE_RATIO',
] as const;

function checkProducerRatios({ v, isBad, sources }: CheckContext, issues: ConfigIssue[]): void {
  if (RATIOS.some(isBad)) return;
  const sum = RATIOS.reduce((total, name) => total + v[name], 0);
  // Each message is one kind: new, invalid, duplicate or update.
  if (sum > 1 + 1e-9) {
    issues.push({
      code: 'conflict',
      name: RATIOS.map((name) => sources[name]?.name ?? name).join(' + '),
      expected: 'ratios that add up to at most 1',
      value: RATIOS.map((name) => String(v[name])).join(' + '),
    });
  }
}

function buildConfig(v: VariableValues): Config {
  const url = v.DATABASE_URL
    ? new URL(v.DATABASE_URL.href)
    : partsToUrl({
        user: v.POSTGRES_USER,
        password: v.POSTGRES_PASSWORD,
        database: v.POSTGRES_DB,
        host: v.DB_HOST,
        port: v.DB_PORT,
      });
  const params = url.searchParams;
  if (v.DB_SSLMODE && !params.has('sslmode')) params.set('sslmode', v.DB_SSLMODE);
  if (v.DB_SSL_ROOT_CERT && !params.has('sslrootcert')) {
    params.set('sslrootcert', v.DB_SSL_ROOT_CERT);
  }
  // Validated against POSTGRES_SSL_MODES, whether it came from the URL or from DB_SSLMODE.
  const sslMode = (params.get('sslmode') ?? undefined) as Config['postgres']['sslMode'];
  // Without it pg treats require and verify-ca as verify-full; with it, sslmode means what libpq says.
  if (sslMode && !params.has('uselibpqcompat')) params.set('uselibpqcompat', 'true');

  const ssl: false | KafkaSslConfig = v.KAFKA_SSL
    ? {
        rejectUnauthorized: v.KAFKA_SSL_REJECT_UNAUTHORIZED,
        ...(v.KAFKA_SSL_CA ? { ca: v.KAFKA_SSL_CA } : {}),
        ...(v.KAFKA_SSL_CERT ? { cert: v.KAFKA_SSL_CERT } : {}),
        ...(v.KAFKA_SSL_KEY ? { key: v.KAFKA_SSL_KEY } : {}),
      }
    : false;
  const sasl =
    v.KAFKA_SASL_MECHANISM && v.KAFKA_SASL_USERNAME && v.KAFKA_SASL_PASSWORD
      ? {
          mechanism: v.KAFKA_SASL_MECHANISM,
          username: v.KAFKA_SASL_USERNAME,
          password: v.KAFKA_SASL_PASSWORD,
        }
      : undefined;

  return {
    logLevel: v.LOG_LEVEL,
    postgres: {
      connectionString: toConnectionString(url),
      ...describeUrl(url),
      sslMode,
      poolMax: v.DB_POOL_MAX,
    },
    kafka: {
      brokers: v.KAFKA_BROKERS,
      topic: v.KAFKA_TOPIC,
      dlqTopic: v.KAFKA_DLQ_TOPIC ?? `${v.KAFKA_TOPIC}.dlq`,
      groupId: v.KAFKA_GROUP_ID,
      topicPartitions: v.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: v.KAFKA_TOPIC_REPLICATION_FACTOR,
      maxMessageBytes: v.KAFKA_MAX_BYTES,
      fetchMaxBytesPerPartition: v.KAFKA_FETCH_MAX_BYTES_PER_PARTITION,
      sessionTimeoutMs: v.KAFKA_SESSION_TIMEOUT_MS,
      ssl,
      sasl,
    },
    ingest: {
      partitionsConcurrency: v.INGEST_PARTITIONS_CONCURRENCY,
      batchSize: v.INGEST_BATCH_SIZE,
      writeExamples: v.KAFKA_WRITE_EXAMPLES,
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    },
    memory: {
      restore: v.MEMORY_RESTORE_DATA,
      cleanupIntervalMs: v.MEMORY_CLEANUP_MINUTES_INTERVAL * 60_000,
      maxOrders: v.MEMORY_ORDERS_LIMIT,
      maxBytes: v.MEMORY_MAX_BYTES,
      maxAgeMs: v.MEMORY_MAX_AGE,
    },
    server: {
      host: v.SERVER_HOST,
      port: v.SERVER_PORT,
      getOrderById: v.SERVER_GET_ORDER_BY_ID,
      headersTimeoutMs: v.SERVER_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: v.SERVER_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: v.SERVER_KEEP_ALIVE_TIMEOUT_MS,
    },
    admin: { tokens: v.ADMIN_TOKENS ?? [] },
    tracing: {
      endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
      sampler: v.OTEL_TRACES_SAMPLER,
      samplerArg: v.OTEL_TRACES_SAMPLER_ARG,
      serviceName: v.OTEL_SERVICE_NAME,
    },
    producer: {
      count: v.PRODUCER_COUNT,
      rate: v.PRODUCER_RATE,
      concurrency: v.PRODUCER_CONCURRENCY,
      batch: v.PRODUCER_BATCH,
      invalidRatio: v.PRODUCER_INVALID_RATIO,
      duplicateRatio: v.PRODUCER_DUPLICATE_RATIO,
      updateRatio: v.PRODUCER_UPDATE_RATIO,
      seed: v.PRODUCER_SEED,
    },
  };
}

const KNOWN = [...variableList.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])])];

/** Likely typos of our names (KAFKA_BROKER, db_port); names far from ours are not our business. */
function nearMisses(env: Env): string[] {
  const known = new Set<string>(KNOWN);
  const out: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name) || env[name] === undefined) continue;
    const upper = name.toUpperCase();
    const match = KNOWN.find((k) => k === upper || (k.length >= 8 && distance(upper, k) <= 2));
    if (match) out.push(`${name} is not a setting; did you mean ${match}?`);
  }
  return out;
}

/** Levenshtein distance, stopping early once it exceeds 2. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    if (Math.min(...row) > 2) return 3;
    prev = row;
  }
  return prev[b.length] ?? 3;
}
