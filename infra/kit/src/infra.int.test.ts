import { createProducer, partitionCount, readToHighWatermark, withAdmin } from '@orders/kafka';
import { waitFor } from '@orders/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, createTestTopic, ensureInfra } from './test-kit.ts';
import { infraUp } from './up.ts';

describe('local Kafka', () => {
  it('round-trips messages through a consumer group on a fresh topic, then deletes it', async () => {
    const { topic, brokers, delete: deleteTopic } = await createTestTopic({ partitions: 3 });
    const settings = { clientId: 'infra-int-test', brokers };
    const sent = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => ({ key, value: `value-${key}` }));
    try {
      expect(await withAdmin(settings, (admin) => partitionCount(admin, topic))).toBe(3);
      const producer = await createProducer(settings);
      try {
        await producer.send(topic, sent);
      } finally {
        await producer.close();
      }
      const received = await readToHighWatermark(settings, topic);
      expect(received.map((m) => `${m.key}=${m.value}`).sort()).toEqual(
        sent.map((m) => `${m.key}=${m.value}`),
      );
    } finally {
      await deleteTopic();
    }
    // a deletion is asynchronous: the broker's metadata drops the topic shortly after it answers
    await waitFor(
      async () => !(await withAdmin(settings, (admin) => admin.listTopics())).includes(topic),
      { timeoutMs: 15_000, intervalMs: 200, what: `topic ${topic} deleted` },
    );
  });
});

describe('local PostgreSQL', () => {
  it('gives each test a fresh database the orders role can use, and drops it', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const tables = await client.query(
        "select count(*)::int as n from pg_tables where schemaname = 'public'",
      );
      expect(tables.rows[0].n).toBe(0);
      await client.query('create table t (id int primary key, doc jsonb not null)');
      await client.query('insert into t values (1, $1)', [{ uid: 'x', items: [1, 2] }]);
      const row = await client.query('select current_database() as name, doc from t');
      expect(row.rows[0]).toEqual({ name: db.name, doc: { uid: 'x', items: [1, 2] } });
    } finally {
      await client.end();
    }
    await db.drop();
    const gone = new pg.Client({ connectionString: db.url });
    gone.on('error', () => {});
    await expect(gone.connect()).rejects.toMatchObject({ code: '3D000' });
  });
});

describe('createTestDatabase().drop()', () => {
  it('drops the database while an autovacuum worker is connected to it', async (ctx) => {
    const { databaseUrl } = await ensureInfra();
    const db = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const on = await client.query<{ on: boolean }>(
          "select current_setting('autovacuum') = 'on' as on",
        );
        if (!on.rows[0]?.on) ctx.skip('autovacuum is off on this server');
        // Work for autovacuum (dead rows), done at the slowest per-table cost settings, so once a
        // worker arrives it stays connected for many seconds.
        await client.query(`create table t (id int, pad text) with (
          autovacuum_vacuum_cost_limit = 1, autovacuum_vacuum_cost_delay = 100)`);
        await client.query(
          "insert into t select g, repeat('x', 200) from generate_series(1, 20000) g",
        );
        await client.query('delete from t where id % 2 = 0');
      } finally {
        await client.end();
      }
      // The launcher visits a new database within autovacuum_naptime (1 min by default) when a
      // worker is free. A backend there without a role (usesysid null) is the autovacuum worker:
      // ours has ended. Whether one comes in time is the server's business, not the kit's (with
      // every test task creating databases at once, all three workers can stay busy elsewhere
      // for minutes): without one there is nothing to test, and the test says so by skipping.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const rows = await query<{ n: number }>(
          databaseUrl,
          'select count(*)::int as n from pg_stat_activity where datname = $1 and usesysid is null',
          [db.name],
        );
        if ((rows[0]?.n ?? 0) > 0) break;
        if (Date.now() > deadline) ctx.skip('no autovacuum worker visited the database in 120 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      await db.drop();
    } finally {
      await db.drop().catch(() => {});
    }
    const gone = new pg.Client({ connectionString: db.url });
    gone.on('error', () => {});
    await expect(gone.connect()).rejects.toMatchObject({ code: '3D000' });
  }, 200_000);
});

async function query<R extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('infraUp', () => {
  it('reuses running servers on a second call and still checks that both work', async () => {
    const info = await ensureInfra();
    const lines: string[] = [];
    const again = await infraUp({ env: process.env, log: (line) => lines.push(line) });
    expect(again).toEqual(info);
    expect(lines.join('\n')).toMatch(/kafka: reusing/);
    expect(lines.join('\n')).toMatch(/postgres: reusing/);
    expect(lines.join('\n')).toMatch(/round trip through a consumer group ok/);
    expect(lines.join('\n')).toMatch(/select 1 .* ok/);
  });
});
