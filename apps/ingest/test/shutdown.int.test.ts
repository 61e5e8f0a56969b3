// Process behaviour of main.ts at shutdown, as a child process: SIGTERM with a batch in flight, a
// second signal, the shutdown deadline, and idle keep-alive connections. A batch is held in flight
// deterministically by locking the orders table from the test: the upsert waits on the lock
// (seen in pg_stat_activity) until the test lets it go.
import { connect } from 'node:net';
import { readGroupOffsets, withAdmin } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import {
  type Child,
  holdBatchInFlight,
  produce,
  rowCount,
  sql,
  type TestEnv,
  useTestEnv,
  waitFor,
} from './harness.ts';

const t = useTestEnv();

function outputOf(c: Child): string {
  return c.output.join('');
}

async function waitForOutput(c: Child, text: string): Promise<void> {
  await waitFor(() => outputOf(c).includes(text), 10_000, `"${text}" in the output`);
}

/** The exit, or a failure after `ms` (the code under test must end the process on its own). */
async function exitWithin(c: Child, ms: number) {
  const timeout = new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms));
  return Promise.race([c.exited, timeout]);
}

async function committedOffset(env: TestEnv, partition: number): Promise<number> {
  const offsets = await withAdmin({ clientId: 'shutdown-test', brokers: env.brokers }, (admin) =>
    readGroupOffsets(admin, env.groupId, env.topic),
  );
  return Number(offsets.find((p) => p.partition === partition)?.committed ?? -1);
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

async function metric(c: Child, name: string): Promise<number> {
  return metricValue(await (await fetch(`${c.url}/metrics`)).text(), name);
}

async function orderUids(url: string): Promise<string[]> {
  const rows = await sql<{ order_uid: string }>(url, 'SELECT order_uid FROM orders');
  return rows.map((r) => r.order_uid).sort();
}

const orders = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

describe('shutdown (child process)', () => {
  it('SIGTERM with a batch in flight: the batch is finished and committed, exit 0; a restart loses and repeats nothing', async () => {
    const env = await t.setup({ partitions: 1 });
    const a = await t.spawn({ SHUTDOWN_TIMEOUT_MS: '60000', LOG_LEVEL: 'info' });
    const uids = orders('inflight', 300);
    const lock = await holdBatchInFlight(t, uids);

    a.kill('SIGTERM');
    await waitForOutput(a, 'shutting down');
    expect(await rowCount(env.databaseUrl)).toBe(0); // the batch is still waiting
    await lock.release();
    expect(await exitWithin(a, 30_000)).toEqual({ code: 0, signal: null });
    // stdout and stderr carry JSON log lines only: no runtime warning either (kafkajs 2.2.4 set a
    // negative timeout, which Node 24 reports on stderr; patches/kafkajs@2.2.4.patch)
    for (const line of outputOf(a)
      .split('\n')
      .filter((l) => l.trim() !== '')) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }

    // the in-flight batch reached PostgreSQL and its offsets were committed, in step
    const rowsAtExit = await rowCount(env.databaseUrl);
    expect(rowsAtExit).toBeGreaterThan(0);
    expect(await committedOffset(env, 0)).toBe(rowsAtExit);

    // a restart continues after it: the rest arrive once, nothing is delivered twice
    const b = await t.spawn();
    await produce(env.brokers, env.topic, [
      { key: 'inflight-last', value: bytes(makeOrder('inflight-last')) },
    ]);
    const expected = [...uids, 'inflight-last'].sort();
    await waitFor(
      async () => (await rowCount(env.databaseUrl)) === expected.length,
      30_000,
      'every order in PostgreSQL',
    );
    // one partition, in order: once the last message is counted, any redelivery would be too
    await waitFor(
      async () => (await metric(b, 'orders_ingested_total')) === expected.length - rowsAtExit,
      10_000,
      'the restart ingested the rest',
    );
    expect(await metric(b, 'orders_duplicate_deliveries_total')).toBe(0);
    expect(await orderUids(env.databaseUrl)).toEqual(expected);
  });

  it('a second signal exits 130 at once, without waiting for the batch in flight', async () => {
    await t.setup({ partitions: 1 });
    const a = await t.spawn({ SHUTDOWN_TIMEOUT_MS: '60000', LOG_LEVEL: 'info' });
    await holdBatchInFlight(t, ['second-1']);

    a.kill('SIGTERM');
    await waitForOutput(a, 'shutting down');
    a.kill('SIGINT');
    // the lock is still held: only the second-signal path can end the process
    expect(await exitWithin(a, 30_000)).toEqual({ code: 130, signal: null });
    expect(outputOf(a)).toContain('second signal, exiting now');
  });

  it('past SHUTDOWN_TIMEOUT_MS with the batch still in flight: exit 1, and a restart loses nothing', async () => {
    const env = await t.setup({ partitions: 1 });
    // a short session: the restart need not wait 30 s for the dead member to leave the group
    const a = await t.spawn({ SHUTDOWN_TIMEOUT_MS: '1500', KAFKA_SESSION_TIMEOUT_MS: '6000' });
    const uids = orders('deadline', 50);
    const lock = await holdBatchInFlight(t, uids);

    a.kill('SIGTERM');
    // the lock is still held: only the deadline can end the process
    expect(await exitWithin(a, 30_000)).toEqual({ code: 1, signal: null });
    expect(outputOf(a)).toContain('shutdown deadline passed, exiting');
    await lock.release();
    expect(await rowCount(env.databaseUrl)).toBe(0); // the unfinished batch rolled back

    await t.spawn();
    await waitFor(
      async () => (await rowCount(env.databaseUrl)) === uids.length,
      30_000,
      'every order after the restart',
    );
    expect(await orderUids(env.databaseUrl)).toEqual(uids);
  });

  it('an idle keep-alive connection is closed at shutdown instead of holding it to the deadline', async () => {
    await t.setup({ partitions: 1 });
    const deadlineMs = 40_000;
    // SERVER_KEEP_ALIVE_TIMEOUT_MS stays at 65 s: only the shutdown can close the socket early
    const a = await t.spawn({ SHUTDOWN_TIMEOUT_MS: String(deadlineMs) });
    const { port } = new URL(a.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let closedByServer = false;
    socket.setEncoding('utf8').on('data', (d: string) => {
      received += d;
    });
    socket.on('end', () => {
      closedByServer = true;
    });
    socket.on('error', () => {});
    t.onCleanup(async () => socket.destroy());
    socket.write(
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`,
    );
    await waitFor(() => received.includes('\r\n\r\n'), 10_000, 'the /healthz response');
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(received.toLowerCase()).toContain('connection: keep-alive');
    expect(closedByServer).toBe(false);

    const signalled = Date.now();
    a.kill('SIGTERM');
    expect(await exitWithin(a, deadlineMs + 10_000)).toEqual({ code: 0, signal: null });
    // a held socket would keep the server open until the deadline; well before it means closed
    expect(Date.now() - signalled).toBeLessThan(deadlineMs / 2);
    await waitFor(() => closedByServer, 5_000, 'the server to close the idle connection');
  });
});
