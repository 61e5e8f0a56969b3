// Against the local broker: a send right after the topic is created, when a partition's leader
// may still answer NOT_LEADER_OR_FOLLOWER and kafkajs resends the whole request, writes every
// record once. Without idempotence 4 of 10 such rounds wrote 50 records for 30 here.
import { describe, expect, it } from 'vitest';
import { createTestTopic, testSettings } from '../test/helpers.ts';
import { createProducer } from './producer.ts';
import { readToHighWatermark } from './reader.ts';

describe('createProducer (real broker)', () => {
  it('writes each record once to topics just created, over ten rounds', async () => {
    const counts: number[] = [];
    for (let round = 0; round < 10; round++) {
      const topic = await createTestTopic({ partitions: 3 });
      const producer = await createProducer(testSettings());
      try {
        await producer.send(
          topic,
          Array.from({ length: 30 }, (_, i) => ({
            key: `k${i}`,
            value: `v${i}`,
            partition: i % 3,
          })),
        );
      } finally {
        await producer.close();
      }
      counts.push((await readToHighWatermark(testSettings(), topic)).length);
    }
    expect(counts).toEqual(Array(10).fill(30));
  });
});
