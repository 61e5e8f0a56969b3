// Config abuse: the ingest service started with one variable set to a bad value must exit non-zero
// with one clear message naming that variable (no stack trace), before touching any server.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { VariableName } from '@orders/config';

/** One bad value per variable; null where every non-empty value is valid (passwords). */
export const BAD_VALUES: Record<VariableName, string | null> = {
  LOG_LEVEL: 'loud',
  DATABASE_URL: 'mysql://orders@127.0.0.1/orders',
  POSTGRES_USER: 'u'.repeat(64),
  POSTGRES_PASSWORD: null,
  POSTGRES_DB: 'd'.repeat(64),
  DB_HOST: 'not a host!',
  DB_PORT: '70000',
  DB_SSLMODE: 'sometimes',
  DB_SSL_ROOT_CERT: 'ca.pem\nextra',
  DB_POOL_MAX: '0',
  KAFKA_BROKERS: 'localhost',
  KAFKA_TOPIC: 'bad topic!',
  KAFKA_DLQ_TOPIC: '..',
  KAFKA_GROUP_ID: 'g'.repeat(256),
  KAFKA_TOPIC_PARTITIONS: '0',
  KAFKA_TOPIC_REPLICATION_FACTOR: 'three',
  KAFKA_MAX_BYTES: '12 parsecs',
  KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '-1',
  KAFKA_SESSION_TIMEOUT_MS: '5000',
  KAFKA_SSL: 'maybe',
  KAFKA_SSL_CA: '-----BEGIN CERTIFICATE-----',
  KAFKA_SSL_CERT: '-----BEGIN CERTIFICATE-----',
  KAFKA_SSL_KEY: '-----BEGIN PRIVATE KEY-----',
  KAFKA_SSL_REJECT_UNAUTHORIZED: 'sure',
  KAFKA_SASL_MECHANISM: 'kerberos',
  KAFKA_SASL_USERNAME: 'n'.repeat(1025),
  KAFKA_SASL_PASSWORD: null,
  INGEST_PARTITIONS_CONCURRENCY: '0',
  INGEST_BATCH_SIZE: '1e9',
  KAFKA_WRITE_EXAMPLES: 'yes please',
  SHUTDOWN_TIMEOUT_MS: '5',
  MEMORY_RESTORE_DATA: '2',
  MEMORY_CLEANUP_MINUTES_INTERVAL: '0',
  MEMORY_ORDERS_LIMIT: '-5',
  MEMORY_MAX_BYTES: 'lots',
  MEMORY_MAX_AGE: 'forever',
  SERVER_HOST: 'my host',
  SERVER_PORT: '99999',
  SERVER_GET_ORDER_BY_ID: 'perhaps',
  SERVER_HEADERS_TIMEOUT_MS: '10',
  SERVER_REQUEST_TIMEOUT_MS: 'soon',
  SERVER_KEEP_ALIVE_TIMEOUT_MS: '-1',
  ADMIN_TOKENS: 'ops=short',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
  OTEL_TRACES_SAMPLER: 'sometimes',
  OTEL_TRACES_SAMPLER_ARG: '2',
  OTEL_SERVICE_NAME: 's'.repeat(256),
  PRODUCER_COUNT: 'many',
  PRODUCER_RATE: '-3',
  PRODUCER_CONCURRENCY: '0',
  PRODUCER_BATCH: '0',
  PRODUCER_INVALID_RATIO: '1.5',
  PRODUCER_DUPLICATE_RATIO: '-0.1',
  PRODUCER_UPDATE_RATIO: 'half',
  PRODUCER_SEED: '-1',
};

export type ConfigCase = {
  name: string;
  value: string;
  code: number | null;
  ms: number;
  named: boolean;
  stackTrace: boolean;
  /** other variable names the message mentions (it should name only the bad one) */
  othersNamed: string[];
  firstLine: string;
  pass: boolean;
};

/** Pure: judge one exit and its output. */
export function judgeConfigExit(
  name: string,
  code: number | null,
  output: string,
): Pick<ConfigCase, 'named' | 'stackTrace' | 'othersNamed' | 'pass'> {
  const named = new RegExp(`\\b${name}\\b`).test(output);
  const stackTrace = /^\s+at .+[:(]/m.test(output);
  const othersNamed = Object.keys(BAD_VALUES).filter(
    (other) => other !== name && new RegExp(`\\b${other}\\b`).test(output) && !name.includes(other),
  );
  return {
    named,
    stackTrace,
    othersNamed,
    pass: code !== null && code !== 0 && named && !stackTrace,
  };
}

function runOnce(
  nodePath: string,
  main: string,
  cwd: string,
  env: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((resolve) => {
    const t = Date.now();
    // the suite's own SIGTERM/SIGINT (signal) kills the child at once
    const child = spawn(nodePath, [main], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}),
    });
    // an abort's AbortError is followed by 'exit'; a spawn that failed has no exit to wait for
    child.on('error', (err) => {
      if (child.pid === undefined) resolve({ code: null, output: err.message, ms: Date.now() - t });
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    // a process that starts anyway (it accepted the bad value) is stopped by us after 15 s
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - t });
    });
  });
}

export async function runConfigAbuse(o: {
  repoRoot: string;
  nodePath: string;
  cwd: string;
  /** a valid environment pointing at nothing that matters */
  baseEnv: Record<string, string>;
  signal?: AbortSignal;
}): Promise<{ cases: ConfigCase[]; failures: string[]; markdown: string }> {
  const main = join(o.repoRoot, 'apps/ingest/src/main.ts');
  const entries = Object.entries(BAD_VALUES).filter((e): e is [string, string] => e[1] !== null);
  const cases: ConfigCase[] = [];
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      o.signal?.throwIfAborted();
      const [name, value] = entries[next++] as [string, string];
      const env = { PATH: process.env.PATH ?? '', ...o.baseEnv, [name]: value };
      const r = await runOnce(o.nodePath, main, o.cwd, env, o.signal);
      const j = judgeConfigExit(name, r.code, r.output);
      const firstLine =
        r.output.split('\n').find((l) => l.includes(name)) ?? r.output.split('\n')[0] ?? '';
      cases.push({ name, value, code: r.code, ms: r.ms, ...j, firstLine: firstLine.slice(0, 160) });
    }
  };
  // both workers settle first: after an abort, every child has exited before this rejects
  const settled = await Promise.allSettled([worker(), worker()]);
  o.signal?.throwIfAborted();
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  cases.sort((a, b) => a.name.localeCompare(b.name));
  const failures = cases
    .filter((c) => !c.pass)
    .map(
      (c) =>
        `${c.name}=${JSON.stringify(c.value.slice(0, 30))}: exit ${c.code}, named ${c.named}, stack ${c.stackTrace}`,
    );
  const skipped = Object.entries(BAD_VALUES)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  const md = [
    `${cases.length} variables, each set alone to a bad value with the rest valid; ${cases.filter((c) => c.pass).length} exited non-zero with a message naming the variable and no stack trace. Not tested (any non-empty value is valid): ${skipped.join(', ')}.`,
    '',
    '| variable | bad value | exit | ms | message |',
    '|---|---|---:|---:|---|',
    ...cases.map(
      (c) =>
        `| ${c.name} | \`${JSON.stringify(c.value.length > 24 ? `${c.value.slice(0, 24)}…` : c.value).replaceAll('|', '\\|')}\` | ${c.code} | ${c.ms} | ${c.pass ? '' : '**FAIL** '}${c.firstLine.replaceAll('|', '\\|').replaceAll('`', "'")} |`,
    ),
  ].join('\n');
  return { cases, failures, markdown: md };
}
