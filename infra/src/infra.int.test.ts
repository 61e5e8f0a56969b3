import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, createTestTopic, ensureInfra } from './test-kit.ts';
import { infraUp } from './up.ts';

describe('local Kafka', () => {
  it('round-trips messages through a consumer group on a fresh topic, then deletes it', async () => {
    const { topic, brokers, delete: deleteTopic } = await createTestTopic({ partitions: 3 });
    const kafka = new Kafka({ clientId: 'infra-int-test', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    const sent = ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => ({ key, value: `value-${key}` }));
    try {
      await admin.connect();
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      expect(metadata?.partitions).toHaveLength(3);

      await producer.connect();
      await producer.send({ topic, messages: sent });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Set<string>();
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              received.add(`${message.key}=${message.value}`);
              if (received.size === sent.length) resolve();
            },
          })
          .catch(reject);
      });
      expect([...received].sort()).toEqual(sent.map((m) => `${m.key}=${m.value}`));
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
    await admin.deleteGroups([`${topic}-group`]);
    await deleteTopic();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
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
