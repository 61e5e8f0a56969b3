import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopicsWithLeaders } from './topics.ts';

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
type Step = Metadata | { throw: string };

function fakeAdmin(steps: Step[]) {
  const calls = { create: [] as unknown[], metadata: 0 };
  const admin = {
    createTopics: async (args: unknown) => {
      calls.create.push(args);
      return true;
    },
    fetchTopicMetadata: async (): Promise<Metadata> => {
      const step = steps[Math.min(calls.metadata++, steps.length - 1)];
      if (!step) throw new Error('no step');
      if ('throw' in step) throw Object.assign(new Error(step.throw), { type: step.throw });
      return step;
    },
  };
  return { admin, calls };
}

const leaders = (name: string, ...ids: number[]): Metadata => ({
  topics: [
    {
      name,
      partitions: ids.map((leader, partitionId) => ({
        partitionId,
        leader,
        partitionErrorCode: 0,
        replicas: [],
        isr: [],
      })),
    },
  ],
});

describe('createTopicsWithLeaders', () => {
  it('waits through "unknown topic", a missing leader and a short partition list', async () => {
    const { admin, calls } = fakeAdmin([
      { throw: 'UNKNOWN_TOPIC_OR_PARTITION' },
      { throw: 'LEADER_NOT_AVAILABLE' },
      leaders('t', 1, -1, 1),
      leaders('t', 1, 1),
      leaders('t', 1, 1, 1),
    ]);
    await createTopicsWithLeaders(admin, [{ topic: 't', numPartitions: 3 }], 5000);
    expect(calls.metadata).toBe(5);
    expect(calls.create).toEqual([
      { topics: [{ topic: 't', numPartitions: 3 }], waitForLeaders: false },
    ]);
  });

  it('passes any other metadata error through', async () => {
    const { admin } = fakeAdmin([{ throw: 'TOPIC_AUTHORIZATION_FAILED' }]);
    await expect(createTopicsWithLeaders(admin, [{ topic: 't' }], 5000)).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
  });

  it('gives up after its timeout, naming the topic', async () => {
    const { admin } = fakeAdmin([leaders('t', -1)]);
    await expect(createTopicsWithLeaders(admin, [{ topic: 't' }], 300)).rejects.toThrow(
      /leaders of t/,
    );
  });
});
