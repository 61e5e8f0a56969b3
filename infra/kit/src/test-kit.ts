import { randomUUID } from 'node:crypto';
import { createTopicsWithLeaders, deleteTopics, withAdmin } from '@orders/kafka';
import pg from 'pg';
import { postgresUrl, readInfraSettings } from './settings.ts';
import { type InfraInfo, infraUp } from './up.ts';

/**
 * Set once infra is up, so processes started afterwards (vitest workers fork from the process that
 * ran the global setup) know it without running `up` again.
 */
const READY_ENV = 'ORDERS_INFRA_READY';

let ready: Promise<InfraInfo> | undefined;

/** Runs the idempotent `up` once per process (and not at all in children of a process that did). */
export function ensureInfra(opts: { log?: (line: string) => void } = {}): Promise<InfraInfo> {
  ready ??= (async () => {
    const marked = process.env[READY_ENV];
    if (marked) return JSON.parse(marked) as InfraInfo;
    const info = await infraUp({ env: process.env, log: opts.log });
    process.env[READY_ENV] = JSON.stringify(info);
    return info;
  })();
  // a failed attempt may be retried by a later call
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

export type TestDatabase = { name: string; url: string; drop(): Promise<void> };

/**
 * A fresh, empty database owned by the configured role; `drop()` removes it, closing the role's
 * sessions in it first (a second drop() does nothing).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  await ensureInfra();
  const settings = readInfraSettings(process.env).postgres;
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(postgresUrl(settings), `create database "${name}"`);
  return {
    name,
    url: postgresUrl(settings, name),
    drop: () => dropDatabase(postgresUrl(settings), name),
  };
}

/**
 * Not `DROP DATABASE … WITH (FORCE)`: FORCE checks that it may signal every other backend in the
 * database before signalling any, and an autovacuum worker (a backend without a role) may only be
 * signalled by a superuser or a member of pg_signal_backend, so the drop failed with 42501
 * whenever autovacuum was visiting the database. A plain DROP DATABASE sends autovacuum workers
 * away itself (waiting up to 5 s); the role's own sessions are closed first, after refusing new
 * ones so a pool cannot reconnect in between. Sessions of other roles make the drop fail (55006).
 */
async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    try {
      await client.query(`alter database "${name}" allow_connections false`);
    } catch (error) {
      if ((error as { code?: string }).code === '3D000') return; // already dropped
      throw error;
    }
    await client.query(
      `select pg_terminate_backend(pid, 5000) from pg_stat_activity
       where datname = $1 and usename = current_user and pid <> pg_backend_pid()`,
      [name],
    );
    await client.query(`drop database if exists "${name}"`);
  } finally {
    await client.end();
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export type TestTopic = { topic: string; brokers: string[]; delete(): Promise<void> };

/**
 * A fresh topic (default 1 partition, `config` its topic config) with leaders elected;
 * `delete()` removes it.
 */
export async function createTestTopic(
  opts: { partitions?: number; config?: Record<string, string> } = {},
): Promise<TestTopic> {
  const { brokers } = await ensureInfra();
  const topic = `test-${randomUUID()}`;
  const settings = { clientId: 'orders-test-kit', brokers };
  await withAdmin(settings, (admin) =>
    createTopicsWithLeaders(admin, [
      { topic, partitions: opts.partitions ?? 1, config: opts.config ?? {} },
    ]),
  );
  return {
    topic,
    brokers,
    delete: () => withAdmin(settings, (admin) => deleteTopics(admin, [topic])),
  };
}
