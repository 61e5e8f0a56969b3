import { createRequire } from 'node:module';
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTopicsWithLeaders } from './topics.ts';

const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error & { type: string };
};
const answer = (code: number) => createErrorFromCode(code);
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_NOT_AVAILABLE = 5;
const TOPIC_AUTHORIZATION_FAILED = 29;
const TOPIC_ALREADY_EXISTS = 36;

type Metadata = Awaited<ReturnType<Admin['fetchTopicMetadata']>>;
type Step = Metadata | { throw: number };

/** An admin whose metadata answers are `steps`, in order (the last one repeats). */
function fakeAdmin(steps: Step[], opts: { existing?: string[]; createThrows?: number } = {}) {
  const calls = { create: [] as unknown[], metadata: 0 };
  const admin = {
    listTopics: async () => opts.existing ?? [],
    createTopics: async (args: unknown) => {
      calls.create.push(args);
      if (opts.createThrows !== undefined) throw answer(opts.createThrows);
      return true;
    },
    fetchTopicMetadata: async (): Promise<Metadata> => {
      const step = steps[Math.min(calls.metadata++, steps.length - 1)];
      if (!step) throw new Error('no step');
      if ('throw' in step) throw answer(step.throw);
      return step;
    },
  };
  return { admin, calls };
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
const metadata = (...topics: ReturnType<typeof topic>[]): Metadata => ({ topics });
const fast = { timeoutMs: 5_000, intervalMs: 1 };

describe('createTopicsWithLeaders', () => {
  it('waits through "unknown topic", a missing leader and a short partition list', async () => {
    const { admin, calls } = fakeAdmin([
      { throw: UNKNOWN_TOPIC_OR_PARTITION },
      { throw: LEADER_NOT_AVAILABLE },
      metadata(topic('t', 1, -1, 1)),
      metadata(topic('t', 1, 1)),
      metadata(topic('t', 1, 1, 1)),
    ]);
    const result = await createTopicsWithLeaders(admin, [{ topic: 't', partitions: 3 }], fast);
    expect(result).toEqual({ created: ['t'] });
    expect(calls.metadata).toBe(5);
    expect(calls.create).toEqual([
      {
        topics: [
          {
            topic: 't',
            numPartitions: 3,
            replicationFactor: undefined,
            configEntries: [],
          },
        ],
        waitForLeaders: false,
      },
    ]);
  });

  it('waits for every topic asked, one create request each, with their config', async () => {
    const { admin, calls } = fakeAdmin([
      metadata(topic('orders', 1, 1)),
      metadata(topic('orders', 1, 1), topic('dlq', -1, 1)),
      metadata(topic('orders', 1, 1), topic('dlq', 1, 1)),
    ]);
    await createTopicsWithLeaders(
      admin,
      [
        { topic: 'orders', partitions: 2, replicationFactor: 1 },
        { topic: 'dlq', partitions: 2, config: { 'max.message.bytes': '2097152' } },
      ],
      fast,
    );
    expect(calls.metadata).toBe(3);
    expect(calls.create).toHaveLength(2);
    expect(calls.create[1]).toMatchObject({
      topics: [{ topic: 'dlq', configEntries: [{ name: 'max.message.bytes', value: '2097152' }] }],
    });
  });

  it('an existing topic is not created and keeps its own partition count', async () => {
    const { admin, calls } = fakeAdmin([metadata(topic('t', 1, 1, 1, 1, 1))], {
      existing: ['t'],
    });
    expect(await createTopicsWithLeaders(admin, [{ topic: 't', partitions: 2 }], fast)).toEqual({
      created: [],
    });
    expect(calls.create).toEqual([]);
  });

  it('a topic another instance created meanwhile counts as existing', async () => {
    const { admin } = fakeAdmin([metadata(topic('t', 1, 1, 1, 1))], {
      createThrows: TOPIC_ALREADY_EXISTS,
    });
    expect(await createTopicsWithLeaders(admin, [{ topic: 't', partitions: 2 }], fast)).toEqual({
      created: [],
    });
  });

  it('passes any other metadata error through', async () => {
    const { admin } = fakeAdmin([{ throw: TOPIC_AUTHORIZATION_FAILED }]);
    await expect(createTopicsWithLeaders(admin, [{ topic: 't' }], fast)).rejects.toMatchObject({
      type: 'TOPIC_AUTHORIZATION_FAILED',
    });
  });

  it('gives up after its timeout with a KafkaError naming the topics', async () => {
    const { admin } = fakeAdmin([metadata(topic('orders', -1), topic('dlq', 1))]);
    const err = await createTopicsWithLeaders(admin, [{ topic: 'orders' }, { topic: 'dlq' }], {
      timeoutMs: 200,
      intervalMs: 10,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'KafkaError', type: 'TIMEOUT', retriable: true });
    expect((err as Error).message).toMatch(/leaders of orders, dlq not ready .*orders not ready/);
  });
});
