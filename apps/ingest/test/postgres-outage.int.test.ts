// PostgreSQL unavailable for 10 s mid-stream. To fault only this test's database (other engineers
// share the server), the test blocks new connections to ITS database (ALTER DATABASE …
// ALLOW_CONNECTIONS false) and terminates the service's sessions (pg_terminate_backend on the
// database's backends). A real server restart (57P01, crash recovery) is the fault suite's job.
import { ensureInfra } from '@orders/infra';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import {
  type Child,
  createProducer,
  createTestEnv,
  rowCount,
  sql,
  startChild,
  type TestEnv,
  waitFor,
} from './harness.ts';

let env: TestEnv | undefined;
const cur = (): TestEnv => {
  if (!env) throw new Error('no test env');
  return env;
};
let child: Child | undefined;
let adminUrl = '';

afterEach(async () => {
  if (env && adminUrl) {
    await sql(adminUrl, `ALTER DATABASE "${env.databaseName}" ALLOW_CONNECTIONS true`).catch(
      () => {},
    );
  }
  child?.kill('SIGKILL');
  if (child) await child.exited;
  child = undefined;
  await env?.cleanup();
  env = undefined;
});

async function cutDatabase(name: string, allow: boolean): Promise<void> {
  await sql(adminUrl, `ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
  if (!allow) {
    await sql(
      adminUrl,
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  }
}

describe('PostgreSQL outage', () => {
  it('stopped 10 s mid-stream: nothing lost, the process survives and recovers', async () => {
    adminUrl = (await ensureInfra()).databaseUrl;
    env = await createTestEnv({ partitions: 3 });
    child = await startChild(await env.env({ LOG_LEVEL: 'info' }));
    const producer = await createProducer(env.brokers);
    const uids = Array.from({ length: 3_000 }, (_, i) => `pg-${i}`);
    const send = (from: number, to: number) =>
      producer.send(
        cur().topic,
        uids.slice(from, to).map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
      );

    await send(0, 1_000);
    await waitFor(async () => (await rowCount(cur().databaseUrl)) >= 500, 30_000, 'first rows');
    await cutDatabase(env.databaseName, false);
    const cutAt = Date.now();
    await send(1_000, 2_000);
    // readiness reports the outage while it lasts
    await waitFor(
      async () => (await fetch(`${(child as Child).url}/readyz`)).status === 503,
      15_000,
      'readyz 503',
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - cutAt))));
    expect(child.proc.exitCode).toBeNull();
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    await cutDatabase(env.databaseName, true);
    await send(2_000, 3_000);
    await producer.close();

    await waitFor(async () => (await rowCount(cur().databaseUrl)) === 3_000, 60_000, 'all rows');
    const rows = await sql<{ n: string; d: string }>(
      env.databaseUrl,
      'SELECT count(*) AS n, count(DISTINCT order_uid) AS d FROM orders',
    );
    expect(rows[0]).toEqual({ n: '3000', d: '3000' });
    await waitFor(
      async () => (await fetch(`${(child as Child).url}/readyz`)).status === 200,
      15_000,
      'ready again',
    );
    expect(child.proc.exitCode).toBeNull();
    // one line when it broke, one when it recovered: not one per retry
    const log = child.output.join('');
    expect(log.match(/sink failing/g)?.length).toBe(1);
    expect(log.match(/sink recovered/g)?.length).toBe(1);
  });
});
