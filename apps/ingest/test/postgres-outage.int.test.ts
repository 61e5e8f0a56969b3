// PostgreSQL unavailable for 10 s mid-stream. To fault only this test's database (other engineers
// share the server), the test blocks new connections to ITS database (ALTER DATABASE …
// ALLOW_CONNECTIONS false) and terminates the service's sessions (pg_terminate_backend on the
// database's backends). A real server restart (57P01, crash recovery) is the fault suite's job.
import { ensureInfra } from '@orders/infra';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { createProducer, cutDatabase, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();
let adminUrl = '';

describe('PostgreSQL outage', () => {
  it('stopped 10 s mid-stream: nothing lost, the process survives and recovers', async () => {
    adminUrl = (await ensureInfra()).databaseUrl;
    const env = await t.setup({ partitions: 3 });
    // undone even when the test fails while the database is cut
    t.onCleanup(() => sql(adminUrl, `ALTER DATABASE "${env.databaseName}" ALLOW_CONNECTIONS true`));
    const child = await t.spawn({ LOG_LEVEL: 'info' });
    const producer = await createProducer(env.brokers);
    const uids = Array.from({ length: 3_000 }, (_, i) => `pg-${i}`);
    const send = (from: number, to: number) =>
      producer.send(
        env.topic,
        uids.slice(from, to).map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
      );

    await send(0, 1_000);
    await waitFor(async () => (await rowCount(env.databaseUrl)) >= 500, 30_000, 'first rows');
    await cutDatabase(adminUrl, env.databaseName, false);
    const cutAt = Date.now();
    await send(1_000, 2_000);
    // readiness reports the outage while it lasts
    await waitFor(
      async () => (await fetch(`${child.url}/readyz`)).status === 503,
      15_000,
      'readyz 503',
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - cutAt))));
    expect(child.proc.exitCode).toBeNull();
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    await cutDatabase(adminUrl, env.databaseName, true);
    await send(2_000, 3_000);
    await producer.close();

    await waitFor(async () => (await rowCount(env.databaseUrl)) === 3_000, 60_000, 'all rows');
    const rows = await sql<{ n: string; d: string }>(
      env.databaseUrl,
      'SELECT count(*) AS n, count(DISTINCT order_uid) AS d FROM orders',
    );
    expect(rows[0]).toEqual({ n: '3000', d: '3000' });
    await waitFor(
      async () => (await fetch(`${child.url}/readyz`)).status === 200,
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
