// createGroupConsumer against the local broker: positions asked at the join, before any fetch.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestTopic, groupName, testSettings } from '../test/helpers.ts';
import { createKafka } from './client.ts';
import { type BatchControl, createGroupConsumer, type GroupLog } from './group-consumer.ts';
import { createProducer } from './producer.ts';

const quiet: GroupLog = { info() {}, warn() {}, error() {} };

describe('createGroupConsumer with positionOnJoin (real broker)', () => {
  it('starts at the positions given and fetches as soon as they are known, not after the idle long-poll', async () => {
    const topic = await createTestTopic({ partitions: 1 });
    const p = await createProducer(testSettings());
    try {
      await p.send(
        topic,
        ['a', 'b', 'c'].map((v) => ({ key: 'k', value: v })),
      );
    } finally {
      await p.close();
    }
    // a long-poll far longer than the test may take: only the resume can end the paused wait
    const maxWaitTimeInMs = 25_000;
    let joinedAt = 0;
    let positionedAt = 0;
    const first = Promise.withResolvers<{ at: number; batch: BatchControl }>();
    const consumer = createGroupConsumer({
      kafka: createKafka(testSettings()),
      groupId: groupName(),
      topic,
      partitionsConsumedConcurrently: 1,
      sessionTimeout: 10_000,
      maxWaitTimeInMs,
      logger: quiet,
      onJoin() {
        joinedAt = performance.now();
      },
      async positionOnJoin() {
        await new Promise((r) => setTimeout(r, 100)); // PostgreSQL answering
        positionedAt = performance.now();
        return new Map([[0, '1']]);
      },
      async onBatch(batch) {
        first.resolve({ at: performance.now(), batch });
        batch.resolveOffset(batch.messages.at(-1)?.offset ?? '0');
      },
      onFatal: (err) => first.reject(err),
      onCrash() {},
    });
    onTestFinished(() => consumer.stop());
    await consumer.start();
    const { at, batch } = await first.promise;
    expect(batch.messages.map((m) => m.value?.toString())).toEqual(['b', 'c']);
    expect(joinedAt).toBeGreaterThan(0);
    expect(positionedAt).toBeGreaterThan(joinedAt);
    // without the resume waking the fetch loop, the first batch comes a long-poll after the join
    expect(at - joinedAt).toBeLessThan(maxWaitTimeInMs / 2);
  }, 40_000);
});
