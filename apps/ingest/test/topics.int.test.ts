// Topic creation settings reach the broker. The local cluster has one broker, so a replication
// factor of 2 can only be refused by the broker if the setting is actually sent with the request.
import { describe, expect, it } from 'vitest';
import { createIngest } from '../src/ingest.ts';
import { silentLogger } from '../src/logger.ts';
import { configFrom, useTestEnv } from './harness.ts';

const t = useTestEnv();

describe('topic creation', () => {
  it('KAFKA_TOPIC_REPLICATION_FACTOR is sent when creating the DLQ topic (2 on one broker: refused)', async () => {
    const env = await t.setup({ partitions: 1 });
    // the test topic exists already; the DLQ topic is the one ingest creates
    const config = configFrom(await env.env({ KAFKA_TOPIC_REPLICATION_FACTOR: '2' }));
    expect(config.kafka.replicationFactor).toBe(2);
    const ingest = createIngest(config, { logger: silentLogger, lagIntervalMs: 0 });
    t.onCleanup(() => ingest.stop(5_000));
    const error = await ingest.start().then(
      () => undefined,
      (err: unknown) => err as { errors?: { type?: string; topic?: string }[] },
    );
    // kafkajs reports per-topic errors in an aggregate
    expect(error?.errors).toEqual([
      expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR', topic: env.dlqTopic }),
    ]);
    expect(ingest.isReady()).toBe(false);
  });

  it('without the setting the broker default applies and the DLQ topic is created', async () => {
    const env = await t.setup({ partitions: 1 });
    const running = await t.start();
    expect(running.ingest.isReady()).toBe(true);
    expect(running.logs.some((l) => l.includes('created topics') && l.includes(env.dlqTopic))).toBe(
      true,
    );
  });
});
