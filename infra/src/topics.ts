// Until the fault suite imports @orders/kafka itself: its kafkajs-shaped topic specs
// ({ topic, numPartitions }) onto the one createTopicsWithLeaders. Removed with that move.
import { type Admin, createTopicsWithLeaders as create } from '@orders/kafka';

export async function createTopicsWithLeaders(
  admin: Admin,
  topics: {
    topic: string;
    numPartitions?: number;
    configEntries?: { name: string; value: string }[];
  }[],
  timeoutMs = 30_000,
): Promise<void> {
  await create(
    admin,
    topics.map((t) => ({
      topic: t.topic,
      partitions: t.numPartitions,
      config: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
    })),
    { timeoutMs },
  );
}
