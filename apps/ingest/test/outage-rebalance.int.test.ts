// PostgreSQL down while the group rebalances. Each failing batch pauses its own partition until its
// backoff passes; kafkajs keeps those pauses across the rejoin, and a paused partition delivers no
// batch that could resume it. The instance must resume anyway (at the join, not only when the
// backoff timer fires), and /readyz must say which partitions are paused. As in postgres-outage.int.test.ts,
// only this test's database is cut (ALLOW_CONNECTIONS false + its sessions terminated).
import { ensureInfra } from '@orders/infra';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { cutDatabase, produce, type Running, rowCount, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

async function readyz(svc: Running): Promise<{ status: number; text: string }> {
  const res = await fetch(`${svc.url}/readyz`);
  return { status: res.status, text: await res.text() };
}

describe('PostgreSQL outage during a rebalance', () => {
  it('the instance that keeps the partitions resumes once PostgreSQL is back', async () => {
    const adminUrl = (await ensureInfra()).databaseUrl;
    const env = await t.setup({ partitions: 4 });
    t.onCleanup(() => cutDatabase(adminUrl, env.databaseName, true));
    const a = await t.start({ LOG_LEVEL: 'info' });
    const b = await t.start({ LOG_LEVEL: 'info' });
    await waitFor(
      () =>
        a.ingest.status().partitions.length > 0 &&
        b.ingest.status().partitions.length > 0 &&
        a.ingest.status().partitions.length + b.ingest.status().partitions.length === 4,
      30_000,
      'partitions split',
    );
    const uids = Array.from({ length: 200 }, (_, i) => `or-${i}`);
    const messages = uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) }));
    await produce(env.brokers, env.topic, messages.slice(0, 100));
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 100, 30_000, 'first rows');

    await cutDatabase(adminUrl, env.databaseName, false);
    await produce(env.brokers, env.topic, messages.slice(100));
    await waitFor(() => a.ingest.status().degraded, 30_000, 'a retrying');
    const paused = await readyz(a);
    expect(paused.status).toBe(503);
    expect(paused.text).toMatch(/consumption paused on [^"]*\/\d/);

    // b leaves, the group rebalances: a rejoins with every partition, some still paused unless the
    // join resumes them
    await b.stop();
    await waitFor(() => a.ingest.status().partitions.length === 4, 60_000, 'a owns all');
    await cutDatabase(adminUrl, env.databaseName, true);

    await waitFor(async () => (await rowCount(env.databaseUrl)) === 200, 60_000, 'all rows');
    await waitFor(async () => (await readyz(a)).status === 200, 15_000, 'a ready again');
    expect(a.ingest.status().degraded).toBe(false);
    const log = a.logs.join('');
    expect(log).toMatch(/reset at group join/);
  });
});
