// Topic creation, limits and deletion against the local broker; each test owns its topics.
import { describe, expect, it } from 'vitest';
import { createTestTopic, removeAfterTest, testSettings, topicName } from '../test/helpers.ts';
import { createKafka, withAdmin } from './client.ts';
import { DLQ_MAX_MESSAGE_BYTES } from './dlq.ts';
import { KafkaError } from './errors.ts';
import {
  createTopicsWithLeaders,
  deleteTopics,
  ensureTopics,
  partitionCount,
  readTopicLimits,
} from './topics.ts';

describe('createTopicsWithLeaders (real broker)', () => {
  it('creates with the partitions and config asked; a second call finds them and creates none', async () => {
    const [a, b] = [topicName(), topicName()];
    removeAfterTest(a, b);
    const specs = [
      { topic: a, partitions: 3 },
      { topic: b, partitions: 2, config: { 'max.message.bytes': '200000' } },
    ];
    await withAdmin(testSettings(), async (admin) => {
      expect(await createTopicsWithLeaders(admin, specs)).toEqual({ created: [a, b] });
      expect(await partitionCount(admin, a)).toBe(3);
      expect(await partitionCount(admin, b)).toBe(2);
      expect((await readTopicLimits(admin, b)).maxMessageBytes).toBe(200_000);
      expect(await createTopicsWithLeaders(admin, specs)).toEqual({ created: [] });
    });
  });

  it('the broker default partition count when none is asked', async () => {
    const t = topicName();
    removeAfterTest(t);
    await withAdmin(testSettings(), async (admin) => {
      await createTopicsWithLeaders(admin, [{ topic: t }]);
      expect(await partitionCount(admin, t)).toBeGreaterThan(0);
    });
  });

  it('a request the broker refuses rejects with its answer', async () => {
    const t = topicName();
    removeAfterTest(t);
    // one broker: a replication factor of 2 can only be refused
    const err = await withAdmin(testSettings(), (admin) =>
      createTopicsWithLeaders(admin, [{ topic: t, partitions: 1, replicationFactor: 2 }]),
    ).catch((e: unknown) => e);
    expect(KafkaError.from(err)).toMatchObject({
      type: 'INVALID_REPLICATION_FACTOR',
      retriable: false,
    });
  });
});

describe('ensureTopics (real broker)', () => {
  it('creates the topic and its DLQ (2 MiB records) once, then leaves both alone', async () => {
    const topic = topicName();
    const dlqTopic = `${topic}.dlq`;
    removeAfterTest(topic, dlqTopic);
    const settings = testSettings();
    const kafka = createKafka(settings);
    const opts = { brokers: settings.brokers, topic, dlqTopic, partitions: 2 };
    expect(await ensureTopics(kafka, opts)).toEqual({ created: [topic, dlqTopic] });
    expect(await ensureTopics(kafka, { ...opts, partitions: 5 })).toEqual({ created: [] });
    await withAdmin(kafka, async (admin) => {
      expect(await partitionCount(admin, dlqTopic)).toBe(2);
      expect(await readTopicLimits(admin, dlqTopic)).toEqual({
        maxMessageBytes: DLQ_MAX_MESSAGE_BYTES,
        compacted: false,
        source: 'topic config',
      });
    });
  });

  it('no broker at the address: one unreachable KafkaError naming the brokers tried', async () => {
    const brokers = ['127.0.0.1:1'];
    const kafka = createKafka(
      testSettings({
        brokers,
        connectionTimeoutMs: 200,
        retry: { retries: 1, maxRetryTimeMs: 100 },
      }),
    );
    const err = await ensureTopics(kafka, {
      brokers,
      topic: 'never',
      dlqTopic: 'never.dlq',
      partitions: 1,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'KafkaError', unreachable: true, retriable: true });
    expect((err as Error).message).toMatch(/^kafka not reachable: tried 127\.0\.0\.1:1 for \d+ s/);
  });
});

describe('readTopicLimits (real broker)', () => {
  it("a topic's own limit and compaction, or the broker's message.max.bytes it inherits", async () => {
    const own = await createTestTopic({
      config: { 'max.message.bytes': '65536', 'cleanup.policy': 'compact' },
    });
    const inherited = await createTestTopic();
    await withAdmin(testSettings(), async (admin) => {
      expect(await readTopicLimits(admin, own)).toEqual({
        maxMessageBytes: 65_536,
        compacted: true,
        source: 'topic config',
      });
      const limits = await readTopicLimits(admin, inherited);
      expect(limits.compacted).toBe(false);
      expect(limits.maxMessageBytes).toBeGreaterThan(0);
      expect(limits.source).toMatch(/^(broker's message\.max\.bytes|Kafka's default)/);
    });
  });
});

describe('deleteTopics (real broker)', () => {
  it('deletes the topics that exist and ignores the others, at once', async () => {
    const t = await createTestTopic();
    const started = Date.now();
    await withAdmin(testSettings(), async (admin) => {
      await deleteTopics(admin, [t, topicName()]);
      expect(await admin.listTopics()).not.toContain(t);
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
