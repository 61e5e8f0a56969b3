// Integration harness: every test gets its own topic, consumer group and database (via
// @orders/infra) and runs the real ingest, in-process (createIngest) or as a child process
// (`node src/main.ts`) when it must be killed with SIGKILL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Config, loadConfig } from '@orders/config';
import { createTestDatabase, createTestTopic } from '@orders/infra';
import {
  type ConsumedRecord,
  createProducer as connectProducer,
  createTopicsWithLeaders,
  deleteTopics,
  type KafkaSettings,
  readGroupOffsets,
  readToHighWatermark,
  withAdmin,
} from '@orders/kafka';
import { freePort, waitFor as pollUntil } from '@orders/testing';
import pg from 'pg';
import { afterEach } from 'vitest';
import { createIngest, type Ingest } from '../src/ingest.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { wantsCrashHooks } from './crash-main.ts';
import { bytes, makeOrder } from './fixtures.ts';

export type TestEnv = {
  topic: string;
  dlqTopic: string;
  groupId: string;
  brokers: string[];
  databaseUrl: string;
  databaseName: string;
  /** env for loadConfig / the child process */
  env(overrides?: Record<string, string>): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
};

export type TestEnvOptions = {
  partitions?: number;
  /** the source topic's config (e.g. a larger max.message.bytes) */
  topicConfig?: Record<string, string>;
};

export async function createTestEnv(opts: TestEnvOptions = {}): Promise<TestEnv> {
  const [topic, database] = await Promise.all([
    createTestTopic({ partitions: opts.partitions ?? 3, config: opts.topicConfig ?? {} }),
    createTestDatabase(),
  ]);
  const dlqTopic = `${topic.topic}.dlq`;
  const groupId = `ingest-${randomUUID()}`;
  return {
    topic: topic.topic,
    dlqTopic,
    groupId,
    brokers: topic.brokers,
    databaseUrl: database.url,
    databaseName: database.name,
    async env(overrides = {}) {
      return {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: topic.brokers.join(','),
        KAFKA_TOPIC: topic.topic,
        KAFKA_DLQ_TOPIC: dlqTopic,
        KAFKA_GROUP_ID: groupId,
        KAFKA_TOPIC_PARTITIONS: String(opts.partitions ?? 3),
        SERVER_HOST: '127.0.0.1',
        SERVER_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        MEMORY_RESTORE_DATA: '1',
        ...overrides,
      };
    },
    async cleanup() {
      await database.drop().catch(() => {});
      await topic.delete().catch(() => {});
      await withAdmin(kafka(topic.brokers), (a) => deleteTopics(a, [dlqTopic])).catch(() => {});
    },
  };
}

/** What a test file gets from useTestEnv(): one env per test, and services started on it. */
export type TestScope = {
  /** topic, DLQ topic name, group and database for this test (removed after it) */
  setup(opts?: TestEnvOptions): Promise<TestEnv>;
  /** the env of the running test; throws before setup() */
  readonly env: TestEnv;
  /** the service in this process on the env (+ overrides), ready; stopped after the test */
  start(overrides?: Record<string, string>, options?: InProcessOptions): Promise<Running>;
  /** the service as a child process on the env (+ overrides), ready; SIGKILLed after the test */
  spawn(overrides?: Record<string, string>): Promise<Child>;
  /** run before the services are stopped after this test (e.g. undo a fault) */
  onCleanup(fn: () => Promise<unknown>): void;
};

/**
 * The per-test setup every integration file shares; call once at the top of the file. After each
 * test, in this order: the test's onCleanup functions, in-process services stopped, child
 * processes SIGKILLed (and awaited), then the topics and the database removed. A test may stop a
 * service itself first: stop() is idempotent.
 */
export function useTestEnv(): TestScope {
  let current: TestEnv | undefined;
  let running: Running[] = [];
  let children: Child[] = [];
  let cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const fn of cleanups) await fn().catch(() => {});
    cleanups = [];
    for (const r of running) await r.stop().catch(() => {});
    running = [];
    for (const c of children) {
      c.kill('SIGKILL');
      await c.exited;
    }
    children = [];
    await current?.cleanup();
    current = undefined;
  });

  const scope: TestScope = {
    async setup(opts = {}) {
      current = await createTestEnv(opts);
      return current;
    },
    get env() {
      if (!current) throw new Error('no test env: call setup() first');
      return current;
    },
    async start(overrides = {}, options = {}) {
      const r = await startInProcess(await scope.env.env(overrides), options);
      running.push(r);
      return r;
    },
    async spawn(overrides = {}) {
      const c = await startChild(await scope.env.env(overrides));
      children.push(c);
      return c;
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
  };
  return scope;
}

export function configFrom(env: Record<string, string>): Config {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.config;
}

export type Running = { ingest: Ingest; url: string; logs: string[]; stop(): Promise<void> };

/** `lagIntervalMs`: consumer lag sampling (default 0, off) */
export type InProcessOptions = { lagIntervalMs?: number };

/** The real service in this process; resolves once it is ready. */
export async function startInProcess(
  env: Record<string, string>,
  options: InProcessOptions = {},
): Promise<Running> {
  const config = configFrom(env);
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'info', write: (l) => logs.push(l) });
  // env: what a demo producer child (KAFKA_WRITE_EXAMPLES) runs with
  const ingest = createIngest(config, {
    logger,
    lagIntervalMs: options.lagIntervalMs ?? 0,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  try {
    await ingest.start();
  } catch (err) {
    await ingest.stop(2_000).catch(() => {});
    throw err;
  }
  await waitFor(() => ingest.isReady(), 30_000, 'ingest ready');
  return {
    ingest,
    logs,
    url: `http://127.0.0.1:${ingest.port()}`,
    stop: () => ingest.stop(10_000),
  };
}

export type Child = {
  proc: ChildProcess;
  url: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
};

const MAIN = join(import.meta.dirname, '../src/main.ts');
const CRASH_MAIN = join(import.meta.dirname, 'crash-main.ts');

/**
 * `node src/main.ts` with `env` (test/crash-main.ts when `env` asks for a crash hook); resolves
 * once /readyz answers 200.
 */
export async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, [wantsCrashHooks(env) ? CRASH_MAIN : MAIN], {
    cwd: import.meta.dirname, // not the repository root: a developer's .env stays out (src/env-file.ts)
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => output.push(d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => output.push(d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${env.SERVER_PORT}`;
  const child: Child = {
    proc,
    url,
    output,
    exited,
    kill: (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    },
  };
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitFor(
    async () => {
      if (gone) throw new Error(`ingest exited before ready:\n${output.join('').slice(-3000)}`);
      try {
        return (await fetch(`${url}/readyz`)).status === 200;
      } catch {
        return false;
      }
    },
    60_000,
    'child ingest ready',
  );
  return child;
}

/** @orders/testing's waitFor with this harness's positional arguments (its 60 call sites). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 100,
): Promise<void> {
  await pollUntil(async () => (await check()) || undefined, {
    timeoutMs,
    what,
    intervalMs: everyMs,
  });
}

export { freePort };

export function kafka(brokers: string[]): KafkaSettings {
  return { clientId: 'ingest-test', brokers };
}

export type Outgoing = {
  key: string | null;
  value: Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
};

/** Produce and wait for acks, `chunk` messages per request. */
export async function produce(
  brokers: string[],
  topic: string,
  messages: Outgoing[],
  chunk = 500,
): Promise<void> {
  const producer = await connectProducer(kafka(brokers));
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send(topic, messages.slice(i, i + chunk));
    }
  } finally {
    await producer.close();
  }
}

/** A topic made by someone else than the service (e.g. a DLQ topic with the broker's defaults). */
export async function createTopic(
  brokers: string[],
  topic: string,
  opts: { partitions: number; config?: Record<string, string> },
): Promise<void> {
  await withAdmin(kafka(brokers), (admin) =>
    createTopicsWithLeaders(admin, [{ topic, partitions: opts.partitions, config: opts.config }]),
  );
}

/** The group's committed offset of each partition of `topic` (-1: none). */
export async function committedOffsets(
  brokers: string[],
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const offsets = await withAdmin(kafka(brokers), (a) => readGroupOffsets(a, groupId, topic));
  return new Map(offsets.map((p) => [p.partition, Number(p.committed)]));
}

/** A long-lived producer for streaming tests. */
export async function createProducer(brokers: string[]) {
  const producer = await connectProducer(kafka(brokers));
  return {
    send: (topic: string, messages: Outgoing[]) => producer.send(topic, messages).then(() => {}),
    close: () => producer.close(),
  };
}

export type DlqEntry = {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
};

/**
 * Every dead letter of the test's service, once it is done with what was produced: waits until
 * the group has committed the whole source topic (Kafka's commit follows PostgreSQL's, where a
 * batch's letters are committed with its offset) and the ledger has no letter left unpublished,
 * then reads the DLQ topic to its end offsets. Decided by offsets: a duplicate letter (a crash
 * between publishing and marking) is among what is read, however late it was written.
 */
export async function readDeadLetters(
  env: TestEnv,
  opts: { isolation?: 'read_committed' | 'read_uncommitted'; timeoutMs?: number } = {},
): Promise<DlqEntry[]> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const settings = kafka(env.brokers);
  await waitFor(
    async () => {
      const offsets = await withAdmin(settings, (a) => readGroupOffsets(a, env.groupId, env.topic));
      return offsets.every((p) => p.lag === 0);
    },
    timeoutMs,
    `group ${env.groupId} at the end of ${env.topic}`,
  );
  // the outbox publishes after the batch's commit: wait until the ledger has nothing left
  await waitFor(
    async () => {
      const [row] = await sql<{ n: number }>(
        env.databaseUrl,
        'SELECT count(*)::int AS n FROM dead_letters WHERE published_at IS NULL',
      );
      return row?.n === 0;
    },
    timeoutMs,
    `every letter of ${env.databaseName}'s ledger published`,
  );
  const records = await readToHighWatermark(settings, env.dlqTopic, {
    isolation: opts.isolation ?? 'read_committed',
    timeoutMs,
  });
  return records.map(toDlqEntry);
}

function toDlqEntry(r: ConsumedRecord): DlqEntry {
  return { key: r.key?.toString() ?? null, value: r.value, headers: r.headers };
}

export async function sql<R extends Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'orders-ingest-test' });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Cuts one test database off, as an outage would look to the service (new connections refused,
 * its sessions ended), or lets it back in; other databases on the shared server are untouched.
 */
export async function cutDatabase(adminUrl: string, name: string, allow: boolean): Promise<void> {
  await sql(adminUrl, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
  if (!allow) {
    await sql(
      adminUrl,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  }
}

export async function rowCount(url: string): Promise<number> {
  const rows = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM orders').catch(() => [
    { n: '0' },
  ]);
  return Number(rows[0]?.n ?? 0);
}

export type TableLock = { release(): Promise<void> };

/**
 * Holds a batch in flight deterministically: locks `orders` so that reads go through but every
 * write waits, produces one order per uid to the test topic, and resolves once the service's upsert
 * is waiting on the lock (seen in pg_stat_activity). The lock is released after the test at the
 * latest.
 */
export async function holdBatchInFlight(scope: TestScope, uids: string[]): Promise<TableLock> {
  const env = scope.env;
  const lock = await lockOrdersForWrites(scope, env.databaseUrl);
  await produce(
    env.brokers,
    env.topic,
    uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
  );
  await batchBlockedOnLock(env);
  return lock;
}

/** A lock on `orders` that lets reads through but makes every write wait. */
async function lockOrdersForWrites(scope: TestScope, url: string): Promise<TableLock> {
  const client = new pg.Client({ connectionString: url, application_name: 'orders-test-lock' });
  client.on('error', () => {});
  await client.connect();
  // the search fill's CREATE INDEX CONCURRENTLY at start can deadlock with this lock (PostgreSQL
  // then aborts ours): take it again
  for (let attempt = 0; ; attempt++) {
    await client.query('BEGIN');
    try {
      await client.query('LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE');
      break;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
    }
  }
  let released = false;
  const lock = {
    async release() {
      if (released) return;
      released = true;
      await client.query('COMMIT').catch(() => {});
      await client.end().catch(() => {});
    },
  };
  scope.onCleanup(() => lock.release());
  return lock;
}

/** Resolves once the service's upsert is waiting on our lock: a batch is in flight. */
async function batchBlockedOnLock(env: TestEnv): Promise<void> {
  await waitFor(
    async () => {
      const rows = await sql<{ n: number }>(
        env.databaseUrl,
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND application_name = 'orders-ingest' AND wait_event_type = 'Lock'`,
        [env.databaseName],
      );
      return (rows[0]?.n ?? 0) > 0;
    },
    30_000,
    'an upsert waiting on the table lock',
  );
}
