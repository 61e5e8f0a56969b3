// Test helpers against the local broker. Every resource is made for one test and removed by that
// test itself when it finishes (vitest onTestFinished), pass or fail: no shared topic, no group
// left behind, nothing for a later test to trip on.
import { randomUUID } from 'node:crypto';
import { variableDefault } from '@orders/config';
import { onTestFinished } from 'vitest';
import { type KafkaSettings, withAdmin } from '../src/client.ts';
import { createTopicsWithLeaders, deleteTopics, type TopicSpec } from '../src/topics.ts';

/** The local broker (KAFKA_BROKERS, else @orders/config's default) with a client id per call. */
export function testSettings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  const brokers = (process.env.KAFKA_BROKERS?.trim() || variableDefault('KAFKA_BROKERS') || '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return { brokers, clientId: `kafka-test-${randomUUID().slice(0, 8)}`, ...overrides };
}

/** A fresh topic name (nothing created). */
export function topicName(): string {
  return `test-kafka-${randomUUID()}`;
}

/** A fresh group id; deleted after the test (a group never used is simply not there). */
export function groupName(): string {
  const groupId = `test-kafka-group-${randomUUID()}`;
  onTestFinished(() =>
    withAdmin(testSettings(), (admin) => admin.deleteGroups([groupId]))
      .then(() => {})
      .catch(() => {}),
  );
  return groupId;
}

/** Names the test will have created: deleted when it finishes, whether they exist or not. */
export function removeAfterTest(...topics: string[]): void {
  onTestFinished(() => withAdmin(testSettings(), (admin) => deleteTopics(admin, topics)));
}

/** A topic created now (leaders elected) and deleted when the test finishes. */
export async function createTestTopic(spec: Omit<TopicSpec, 'topic'> = {}): Promise<string> {
  const topic = topicName();
  removeAfterTest(topic);
  await withAdmin(testSettings(), (admin) =>
    createTopicsWithLeaders(admin, [{ partitions: 1, ...spec, topic }]),
  );
  return topic;
}
