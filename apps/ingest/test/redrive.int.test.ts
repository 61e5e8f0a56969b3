// Redrive end to end against real Kafka and PostgreSQL: letters a running ingest dead-lettered
// (PostgreSQL refused them through a CHECK the test adds and drops), redriven through the admin
// API, consumed again by the same ingest.
import {
  createTransactionalProducer,
  KafkaError,
  REDRIVE_HEADERS,
  readToHighWatermark,
} from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { kafka, produce, type Running, sql, type TestEnv, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();
const SECRET = 'redrive-secret-0123456789abcdef';
const TOKENS = `ops=${SECRET}`;
const BLOCK =
  "ALTER TABLE orders ADD CONSTRAINT t_blocked CHECK (data->>'track_number' <> 'BLOCKED')";
const UNBLOCK = 'ALTER TABLE orders DROP CONSTRAINT t_blocked';

type Run = {
  state: string;
  created_by: string;
  request: Record<string, unknown>;
  matched: number;
  would_pass: number;
  progress: { pending: number; sent: number; skipped: number; failed: number };
  outcomes: { stored: number; superseded: number; dead_lettered: number; awaiting: number };
  events: { event: string }[];
};

function api(running: { url: string }) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    call,
    /** the run once nothing is pending and ingest decided every sent letter */
    async settled(run: number): Promise<Run> {
      let last: Run | undefined;
      await waitFor(
        async () => {
          last = (await call('GET', `/dead-letters/redrives/${run}`)).body as unknown as Run;
          return last.state === 'done' && last.outcomes.awaiting === 0;
        },
        60_000,
        `redrive run ${run} settled`,
      );
      return last as Run;
    },
  };
}

async function letterIds(env: TestEnv, where = 'true'): Promise<number[]> {
  const rows = await sql<{ id: string }>(
    env.databaseUrl,
    `SELECT id FROM dead_letters WHERE ${where} ORDER BY id`,
  );
  return rows.map((r) => Number(r.id));
}

async function waitLetters(env: TestEnv, n: number): Promise<number[]> {
  let ids: number[] = [];
  await waitFor(
    async () => {
      ids = await letterIds(env);
      return ids.length >= n;
    },
    30_000,
    `${n} letters in the ledger`,
  );
  return ids;
}

/** The run's messages on the orders topic (read_committed), by letter id. */
async function redrivenOnTopic(env: TestEnv, run: number): Promise<number[]> {
  const records = await readToHighWatermark(kafka(env.brokers), env.topic, {
    isolation: 'read_committed',
    keep: (r) => r.headers[REDRIVE_HEADERS.run] === String(run),
    timeoutMs: 30_000,
  });
  return records.map((r) => Number(r.headers[REDRIVE_HEADERS.letter]));
}

const served = async (running: Running, uid: string) =>
  (await (await fetch(`${running.url}/orders/${uid}`)).json()) as Record<string, unknown>;

describe('redrive', () => {
  it('never overwrites newer content: v1 dead-lettered, v2 stored, v1 corrected and redriven → v2 served, superseded', async () => {
    const env = await t.setup({ partitions: 2 });
    const running = await t.start({ ADMIN_TOKENS: TOKENS });
    const { call, settled } = api(running);
    await sql(env.databaseUrl, BLOCK);
    await produce(env.brokers, env.topic, [
      { key: 'u-1', value: bytes(makeOrder('u-1', { track_number: 'BLOCKED', entry: 'v1' })) },
      { key: 'u-2', value: bytes(makeOrder('u-2', { track_number: 'BLOCKED', entry: 'v1' })) },
    ]);
    await waitLetters(env, 2);
    const [first] = await letterIds(env, "uid = 'u-1'");
    const [second] = await letterIds(env, "uid = 'u-2'");
    await produce(env.brokers, env.topic, [
      { key: 'u-1', value: bytes(makeOrder('u-1', { entry: 'v2' })) },
    ]);
    await waitFor(async () => (await served(running, 'u-1')).entry === 'v2', 20_000, 'v2 of u-1');

    // an invalid correction: 422 with the problems, nothing recorded
    const bad = await call('POST', `/dead-letters/${first}/redrive`, {
      value: makeOrder('u-1', { track_number: 42 }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      error: { code: 'invalid', problems: [expect.objectContaining({ path: 'track_number' })] },
    });
    expect(await sql(env.databaseUrl, 'SELECT 1 FROM redrive_runs')).toEqual([]);

    const edited = await call('POST', `/dead-letters/${first}/redrive`, {
      value: makeOrder('u-1', { entry: 'v1-corrected' }),
    });
    expect(edited.status).toBe(202);
    const run = edited.body.run as number;
    const done = await settled(run);
    expect(done.outcomes).toEqual({ stored: 0, superseded: 1, dead_lettered: 0, awaiting: 0 });
    expect(done.created_by).toBe('ops');
    expect((await served(running, 'u-1')).entry).toBe('v2');
    const rows = await sql<{ entry: string }>(
      env.databaseUrl,
      "SELECT data->>'entry' AS entry FROM orders WHERE order_uid = 'u-1'",
    );
    expect(rows).toEqual([{ entry: 'v2' }]);
    expect(await redrivenOnTopic(env, run)).toEqual([first]);

    // the other letter, once PostgreSQL takes it: stored and served
    await sql(env.databaseUrl, UNBLOCK);
    const byIds = await call('POST', '/dead-letters/redrive', { ids: [second] });
    expect(byIds).toMatchObject({ status: 202, body: { matched: 1, would_pass: 1 } });
    const stored = await settled(byIds.body.run as number);
    expect(stored.outcomes.stored).toBe(1);
    expect((await served(running, 'u-2')).entry).toBe('v1');
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('orders_redrives_total{outcome="stored"} 1');
    expect(metrics).toContain('orders_redrives_total{outcome="superseded"} 1');
    expect(metrics).toContain('orders_redrives_total{outcome="sent"} 2');
  });

  it('at most once: a letter redriven successfully is refused (409) unless again; dry_run counts only', async () => {
    const env = await t.setup({ partitions: 1 });
    const running = await t.start({ ADMIN_TOKENS: TOKENS });
    const { call, settled } = api(running);
    await sql(env.databaseUrl, BLOCK);
    await produce(env.brokers, env.topic, [
      { key: 'a', value: bytes(makeOrder('a', { track_number: 'BLOCKED' })) },
      { key: 'b', value: bytes(makeOrder('b', { track_number: 'BLOCKED' })) },
    ]);
    const ids = await waitLetters(env, 2);
    await sql(env.databaseUrl, UNBLOCK);

    const dry = await call('POST', '/dead-letters/redrive', {
      filter: { reason: 'rejected_by_database' },
      dry_run: true,
    });
    expect(dry).toMatchObject({ status: 202, body: { matched: 2, would_pass: 2 } });
    const dryRun = await settled(dry.body.run as number);
    expect(dryRun.progress.sent).toBe(0);
    expect(await redrivenOnTopic(env, dry.body.run as number)).toEqual([]);

    const first = await call('POST', '/dead-letters/redrive', { ids, rate: 1 });
    expect(first.status).toBe(202);
    const run1 = await settled(first.body.run as number);
    // 2 letters at 1/s: one chunk of 1 at once, the next 1 s after the run's start (the first
    // chunk's own send, slow on a loaded machine, shortens the gap between their sent_at)
    const [gap] = await sql<{ ms: number }>(
      env.databaseUrl,
      `SELECT (extract(epoch FROM max(sent_at) - min(sent_at)) * 1000)::float8 AS ms
       FROM redrive_letters WHERE run_id = $1`,
      [first.body.run],
    );
    expect(gap?.ms).toBeGreaterThanOrEqual(500);
    expect(run1.progress).toEqual({ pending: 0, sent: 2, skipped: 0, failed: 0 });
    expect(run1.outcomes.stored).toBe(2);
    expect(run1.request).toMatchObject({ ids, rate: 1 });

    const again = await call('POST', '/dead-letters/redrive', { ids });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'already_redriven', ids } });
    // a filter skips them instead
    const filtered = await call('POST', '/dead-letters/redrive', { filter: {} });
    expect(filtered).toMatchObject({
      status: 202,
      body: { matched: 2, would_pass: 0, skipped: 2 },
    });
    const forced = await call('POST', '/dead-letters/redrive', { ids, again: true });
    expect(forced.status).toBe(202);
    await settled(forced.body.run as number);
    expect((await redrivenOnTopic(env, forced.body.run as number)).sort()).toEqual(ids);
    expect(await redrivenOnTopic(env, first.body.run as number)).toEqual(ids);
  });

  it('a redriven message that fails again becomes a new letter linked to the first, not a loop', async () => {
    const env = await t.setup({ partitions: 1 });
    const running = await t.start({ ADMIN_TOKENS: TOKENS });
    const { call, settled } = api(running);
    await sql(env.databaseUrl, BLOCK);
    await produce(env.brokers, env.topic, [
      { key: 'p', value: bytes(makeOrder('p', { track_number: 'BLOCKED' })) },
    ]);
    const [first] = await waitLetters(env, 1);
    // still blocked: PostgreSQL refuses it again
    const res = await call('POST', '/dead-letters/redrive', { ids: [first] });
    const run = res.body.run as number;
    const done = await settled(run);
    expect(done.outcomes).toEqual({ stored: 0, superseded: 0, dead_lettered: 1, awaiting: 0 });
    const linked = await sql<{ id: string; redrive_of: string; redrive_run: string }>(
      env.databaseUrl,
      'SELECT id, redrive_of, redrive_run FROM dead_letters WHERE redrive_of IS NOT NULL',
    );
    expect(linked).toHaveLength(1);
    expect(Number(linked[0]?.redrive_of)).toBe(first);
    expect(Number(linked[0]?.redrive_run)).toBe(run);
    const second = Number(linked[0]?.id);

    // a filter leaves the new letter out; by id it is refused without include_redriven
    const filtered = await call('POST', '/dead-letters/redrive', { filter: {}, dry_run: true });
    expect(filtered.body).toMatchObject({ matched: 1 });
    const byId = await call('POST', '/dead-letters/redrive', { ids: [second] });
    expect(byId.status).toBe(409);
    const included = await call('POST', '/dead-letters/redrive', {
      ids: [second],
      include_redriven: true,
      dry_run: true,
    });
    expect(included.status).toBe(202);
    // nothing more arrived by itself
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await letterIds(env)).toEqual([first, second]);
  });

  it('ingest reads read_committed: an aborted transaction (as a failed redrive chunk) is never ingested', async () => {
    const env = await t.setup({ partitions: 2, topicConfig: { 'max.message.bytes': '20000' } });
    const running = await t.start();
    // one transaction: a valid order on partition 0, a record the broker refuses on partition 1;
    // the refusal aborts the transaction, the order stays on partition 0 as an aborted record
    const producer = createTransactionalProducer(kafka(env.brokers), {
      transactionalId: `test-abort-${env.groupId}`,
    });
    await producer.connect();
    const refused = await producer
      .sendInTransaction(env.topic, [
        { key: Buffer.from('aborted'), value: bytes(makeOrder('aborted')), partition: 0 },
        { key: Buffer.from('huge'), value: Buffer.alloc(50_000, 0x20), partition: 1 },
      ])
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    await producer.close();
    expect(KafkaError.from(refused).recordRefused).toBe(true);
    await produce(env.brokers, env.topic, [
      { key: 'after', value: bytes(makeOrder('after')), partition: 0 },
    ]);
    await waitFor(
      async () => (await fetch(`${running.url}/orders/after`)).status === 200,
      20_000,
      'the order after the aborted transaction',
    );
    expect((await fetch(`${running.url}/orders/aborted`)).status).toBe(404);
    const rows = await sql(env.databaseUrl, "SELECT 1 FROM orders WHERE order_uid = 'aborted'");
    expect(rows).toEqual([]);
  });
});
