// Topics: creation that waits for every partition's leader, the service's two topics, the limits
// a topic's config enforces on records, deletion.
import kafkajs from 'kafkajs';
import { type Admin, type KafkaClient, withAdmin } from './client.ts';
import { DLQ_MAX_MESSAGE_BYTES } from './dlq.ts';
import { KafkaError } from './errors.ts';

export type TopicSpec = {
  topic: string;
  /** undefined: the broker's num.partitions */
  partitions?: number;
  /** undefined: the broker's default.replication.factor */
  replicationFactor?: number;
  /** topic config, e.g. `{ 'max.message.bytes': '2097152' }` */
  config?: Record<string, string>;
};

type TopicAdmin = Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>;

/**
 * Creates the topics of `specs` that do not exist yet (each in its own request: kafkajs fails a
 * whole request when only some of its topics exist, and another instance may create one at the
 * same time), then waits until every partition of every topic has a leader. A topic created here
 * must show the partition count asked for; an existing one keeps its own count (at least one).
 * kafkajs's own wait (`waitForLeaders`) retries only LEADER_NOT_AVAILABLE, but a broker that has
 * not applied a new topic to its metadata yet answers UNKNOWN_TOPIC_OR_PARTITION: any stale
 * metadata answer means "not yet" here (seen on a cold, busy broker).
 */
export async function createTopicsWithLeaders(
  admin: TopicAdmin,
  specs: TopicSpec[],
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<{ created: string[] }> {
  const existing = new Set(await admin.listTopics());
  const created: string[] = [];
  for (const spec of specs) {
    if (existing.has(spec.topic)) continue;
    try {
      const made = await admin.createTopics({
        topics: [
          {
            topic: spec.topic,
            // kafkajs sends -1 (the broker's default) for an undefined count or factor
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({
              name,
              value,
            })),
          },
        ],
        waitForLeaders: false,
      });
      if (made) created.push(spec.topic);
    } catch (err) {
      // another instance created it between listTopics and here
      if (KafkaError.from(err).type !== 'TOPIC_ALREADY_EXISTS') throw err;
    }
  }
  const expected = new Map(
    specs.map((s) => [s.topic, created.includes(s.topic) ? (s.partitions ?? -1) : -1]),
  );
  await waitForLeaders(admin, expected, opts.timeoutMs ?? 30_000, opts.intervalMs ?? 100);
  return { created };
}

/**
 * Polls metadata until each topic has its expected partition count (-1: any, at least one) and
 * every partition a leader. Stale metadata answers mean "not yet"; any other error is thrown.
 */
async function waitForLeaders(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  expected: Map<string, number>,
  timeoutMs: number,
  intervalMs: number,
): Promise<void> {
  const topics = [...expected.keys()];
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const byName = new Map(found.map((t) => [t.name, t.partitions]));
      const notReady = topics.filter((name) => {
        const partitions = byName.get(name) ?? [];
        const wanted = expected.get(name) ?? -1;
        const count = wanted > 0 ? wanted : Math.max(partitions.length, 1);
        return partitions.length !== count || !partitions.every((p) => p.leader >= 0);
      });
      if (notReady.length === 0) return;
      last = `${notReady.join(', ')} not ready`;
    } catch (err) {
      const classified = KafkaError.from(err);
      if (!classified.staleMetadata) throw err;
      last = classified.type;
    }
    if (Date.now() > deadline) {
      throw new KafkaError(
        `leaders of ${topics.join(', ')} not ready within ${timeoutMs} ms (${last})`,
        { type: 'TIMEOUT' },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The service's topic and its dead-letter topic, created when missing (explicit: no broker
 * auto-create), leaders waited for. A failure to reach any broker is a KafkaError naming the
 * brokers tried (`unreachable`), one line instead of the client's per-attempt errors.
 */
export async function ensureTopics(
  kafka: KafkaClient,
  opts: {
    /** named in the error when none answers */
    brokers: string[];
    topic: string;
    dlqTopic: string;
    partitions: number;
    /** KAFKA_TOPIC_REPLICATION_FACTOR; undefined = the broker's default.replication.factor */
    replicationFactor?: number;
  },
): Promise<{ created: string[] }> {
  const contacted = Date.now();
  const connectFailed = (err: unknown): never => {
    const classified = KafkaError.from(err);
    if (!classified.unreachable) throw err;
    const seconds = Math.round((Date.now() - contacted) / 1000);
    throw new KafkaError(
      `kafka not reachable: tried ${opts.brokers.join(', ')} for ${seconds} s (${classified.message})`,
      { type: 'UNREACHABLE', unreachable: true, cause: err },
    );
  };
  let connected = false;
  return withAdmin(kafka, async (admin) => {
    connected = true;
    return createTopicsWithLeaders(admin, [
      {
        topic: opts.topic,
        partitions: opts.partitions,
        replicationFactor: opts.replicationFactor,
      },
      {
        topic: opts.dlqTopic,
        partitions: opts.partitions,
        replicationFactor: opts.replicationFactor,
        config: { 'max.message.bytes': String(DLQ_MAX_MESSAGE_BYTES) },
      },
    ]);
  }).catch((err: unknown) => (connected ? Promise.reject(err) : connectFailed(err)));
}

/** What the broker enforces on a topic's records, read from its config (not assumed). */
export type TopicLimits = {
  /** `max.message.bytes`: the most bytes one record batch may take */
  maxMessageBytes: number;
  /** cleanup.policy includes compact: records need a key */
  compacted: boolean;
  /** where maxMessageBytes comes from: the topic's own setting, the broker's, or a fallback */
  source: string;
};

/** The topic's effective limits (its own setting, else the broker's message.max.bytes). */
export async function readTopicLimits(
  admin: Pick<Admin, 'describeConfigs'>,
  topic: string,
): Promise<TopicLimits> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      {
        // the default export: Node's ESM named exports of kafkajs stop before this enum
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name: topic,
        configNames: ['max.message.bytes', 'cleanup.policy'],
      },
    ],
  });
  const entries = resources[0]?.configEntries ?? [];
  const size = entries.find((e) => e.configName === 'max.message.bytes');
  const policy = entries.find((e) => e.configName === 'cleanup.policy');
  const bytes = Number(size?.configValue);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new KafkaError(`topic ${topic} reports max.message.bytes "${size?.configValue}"`);
  }
  return {
    maxMessageBytes: bytes,
    compacted: (policy?.configValue ?? '').includes('compact'),
    source: configSourceName(size?.configSource),
  };
}

// DescribeConfigs' ConfigSource (KIP-226)
function configSourceName(source: number | undefined): string {
  switch (source) {
    case 1:
      return 'topic config';
    case 2:
    case 3:
      return "broker's message.max.bytes (dynamic)";
    case 4:
      return "broker's message.max.bytes (server.properties)";
    case 5:
      return "Kafka's default message.max.bytes";
    default:
      return 'broker';
  }
}

/** Deletes those of `topics` that exist (deleting a missing one makes kafkajs retry for seconds). */
export async function deleteTopics(
  admin: Pick<Admin, 'listTopics' | 'deleteTopics'>,
  topics: string[],
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length > 0) await admin.deleteTopics({ topics: present });
}

/** The number of partitions `topic` has (0 when the broker does not know it). */
export async function partitionCount(
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  topic: string,
): Promise<number> {
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length ?? 0;
  } catch (err) {
    if (KafkaError.from(err).type === 'UNKNOWN_TOPIC_OR_PARTITION') return 0;
    throw err;
  }
}
