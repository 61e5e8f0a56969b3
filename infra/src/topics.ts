import type { Admin, ITopicConfig } from 'kafkajs';
import { waitFor } from './proc.ts';

// kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE; a broker that has not yet
// applied the new topic to its metadata answers UNKNOWN_TOPIC_OR_PARTITION, and kafkajs then fails
// the whole createTopics (seen on a cold broker with several test files creating topics at once).
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * Creates `topics` (an existing one is fine) and waits until every partition of each has a
 * leader, tolerating the errors metadata gives while the new topic propagates.
 */
export async function createTopicsWithLeaders(
  admin: Pick<Admin, 'createTopics' | 'fetchTopicMetadata'>,
  topics: ITopicConfig[],
  timeoutMs = 30_000,
): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false });
  const names = topics.map((t) => t.topic);
  await waitFor(
    async () => {
      try {
        const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
        const byName = new Map(found.map((t) => [t.name, t.partitions]));
        const ready = topics.every((spec) => {
          const partitions = byName.get(spec.topic) ?? [];
          // -1 or unset: the broker's default count, whatever it is
          const wanted = spec.numPartitions ?? -1;
          const expected = wanted > 0 ? wanted : Math.max(partitions.length, 1);
          return partitions.length === expected && partitions.every((p) => p.leader >= 0);
        });
        return ready ? true : undefined;
      } catch (error) {
        if (NOT_YET.has((error as { type?: string }).type ?? '')) return undefined;
        throw error;
      }
    },
    { timeoutMs, intervalMs: 100, what: `leaders of ${names.join(', ')}` },
  );
}
