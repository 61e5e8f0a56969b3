import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { waitForLeaders } from './consumer.ts';

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;

function fakeAdmin(steps: (Metadata | string)[]) {
  let calls = 0;
  return {
    calls: () => calls,
    fetchTopicMetadata: async (): Promise<Metadata> => {
      const step = steps[Math.min(calls++, steps.length - 1)];
      if (typeof step === 'string') throw Object.assign(new Error(step), { type: step });
      if (!step) throw new Error('no step');
      return step;
    },
  };
}

const topic = (name: string, ...leaders: number[]) => ({
  name,
  partitions: leaders.map((leader, partitionId) => ({
    partitionId,
    leader,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  })),
});

describe('waitForLeaders', () => {
  it('waits while a new topic is unknown or leaderless, for every topic asked', async () => {
    const admin = fakeAdmin([
      'UNKNOWN_TOPIC_OR_PARTITION',
      'LEADER_NOT_AVAILABLE',
      { topics: [topic('orders', 1, 1)] },
      { topics: [topic('orders', 1, 1), topic('dlq', -1, 1)] },
      { topics: [topic('orders', 1, 1), topic('dlq', 1, 1)] },
    ]);
    await waitForLeaders(admin, ['orders', 'dlq'], 5000);
    expect(admin.calls()).toBe(5);
  });

  it('passes any other error through', async () => {
    const admin = fakeAdmin(['TOPIC_AUTHORIZATION_FAILED']);
    await expect(waitForLeaders(admin, ['orders'], 5000)).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
  });

  it('gives up after its timeout, naming the topics', async () => {
    const admin = fakeAdmin([{ topics: [topic('orders', -1)] }]);
    await expect(waitForLeaders(admin, ['orders'], 300)).rejects.toThrow(/partition of orders/);
  });
});
