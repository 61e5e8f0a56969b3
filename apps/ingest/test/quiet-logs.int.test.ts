// A clean start and normal ingest log nothing at warn or error. Ingest starts while its topic is
// still being created by someone else (where kafkajs meets leaders not yet elected and a new
// group's coordinator), ingests 1,000 orders and stops; its log is read at debug, so the
// transient kafkajs lines it met are counted too, and none of them may be a warn or an error.
import { randomUUID } from 'node:crypto';
import { deleteTopics, withAdmin } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { createIngest } from '../src/ingest.ts';
import { createLogger } from '../src/logger.ts';
import { bytes, makeOrder } from './fixtures.ts';
import {
  configFrom,
  createTopic,
  kafka,
  produce,
  rowCount,
  useTestEnv,
  waitFor,
} from './harness.ts';

const t = useTestEnv();

describe('quiet logs', () => {
  it('a start on a topic being created, 1,000 orders and a stop log no warn or error line', async () => {
    const env = await t.setup({ partitions: 3 });
    // a topic nobody made yet: created by a "producer" at the very moment ingest starts
    const topic = `${env.topic}-fresh-${randomUUID().slice(0, 8)}`;
    const dlqTopic = `${topic}.dlq`;
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const config = configFrom(await env.env({ KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: dlqTopic }));
    const ingest = createIngest(config, { logger, lagIntervalMs: 0 });
    t.onCleanup(async () => {
      await ingest.stop(5_000);
      await withAdmin(kafka(env.brokers), (a) => deleteTopics(a, [topic, dlqTopic]));
    });

    await Promise.all([createTopic(env.brokers, topic, { partitions: 3 }), ingest.start()]);
    await waitFor(() => ingest.isReady(), 30_000, 'ingest ready');
    const orders = Array.from({ length: 1_000 }, (_, i) => {
      const uid = `quiet-${i}`;
      return { key: uid, value: bytes(makeOrder(uid)) };
    });
    await produce(env.brokers, topic, orders);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 1_000, 60_000, '1,000 rows');
    await waitFor(() => ingest.store.stats().count === 1_000, 10_000, '1,000 orders in memory');
    await ingest.stop(10_000);

    const parsed = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    // the start, the work and the stop were logged (so the absence below means something)
    const msgs = parsed.map((p) => p.msg);
    expect(msgs).toContain('joined consumer group');
    expect(msgs).toContain('ingest stopped');
    expect(parsed.filter((p) => p.level === 'warn' || p.level === 'error')).toEqual([]);
  });

  it('a second instance joining and leaving mid-stream (a rebalance each way) logs no warn or error', async () => {
    const env = await t.setup({ partitions: 3 });
    const first = await t.start();
    const batch = (from: number) =>
      Array.from({ length: 500 }, (_, i) => {
        const uid = `quiet-scale-${from + i}`;
        return { key: uid, value: bytes(makeOrder(uid)) };
      });
    await produce(env.brokers, env.topic, batch(0));
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 500, 60_000, '500 rows');
    // the first member meets the rebalance on its heartbeat: kafkajs logs it at ERROR and WARN
    const second = await t.start();
    await waitFor(
      () =>
        first.ingest.status().partitions.length + second.ingest.status().partitions.length === 3 &&
        second.ingest.status().partitions.length > 0,
      30_000,
      'the partitions shared by two members',
    );
    await produce(env.brokers, env.topic, batch(500));
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 1_000, 60_000, '1,000 rows');
    await second.stop();
    await waitFor(
      () => first.ingest.status().partitions.length === 3,
      30_000,
      'all partitions back',
    );
    await first.stop();

    for (const logs of [first.logs, second.logs]) {
      const parsed = logs.map((l) => JSON.parse(l) as { level: string; msg: string });
      expect(parsed.map((p) => p.msg)).toContain('ingest stopped');
      expect(parsed.filter((p) => p.level === 'warn' || p.level === 'error')).toEqual([]);
    }
  });
});
