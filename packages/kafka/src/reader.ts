// Reading a whole topic back: every record from the log start up to the end offsets of the
// moment of the call. "Done" is decided by offsets, never by a quiet period: a partition is read
// once its consumer position passed its end offset. Transactional writers (the dead letters) make
// the last offset of a partition a commit or abort marker that is never delivered as a record, so
// the position is taken from each fetched batch's last offset, markers included.
//
// The end offsets are listed with the reader's isolation level, as Java's endOffsets() does:
// read_committed ends at the last stable offset (before the first transaction still open),
// read_uncommitted at the high watermark. kafkajs's admin lists read_committed only, so the
// listing is @platformatic/kafka's.
import { randomUUID } from 'node:crypto';
import { createKafka, type KafkaSettings } from './client.ts';
import { KafkaError } from './errors.ts';
import { loadPlatformatic, platformaticConnection } from './platformatic.ts';

export type ConsumedRecord = {
  partition: number;
  offset: string;
  key: Buffer | null;
  /** null: a tombstone */
  value: Buffer | null;
  /** epoch ms as a string */
  timestamp: string;
  /** each header's first value, as UTF-8 text */
  headers: Record<string, string>;
};

export type ReadOptions = {
  /**
   * `read_committed` (the default, as kafkajs's consumers): records outside transactions and of
   * committed ones, up to the last stable offset (a transaction still open, and what follows it,
   * is left out). `read_uncommitted`: every record up to the high watermark, those of aborted and
   * open transactions included.
   */
  isolation?: 'read_committed' | 'read_uncommitted';
  /** the whole read; default 60 s */
  timeoutMs?: number;
  /** where to start, per partition (default: the log start); before it nothing is read */
  from?: ReadonlyMap<number, bigint>;
  /** only the records it accepts are returned (a scan for a few records of a large range) */
  keep?(record: ConsumedRecord): boolean;
};

/**
 * Every record of `topic` below its end offsets as listed at the call (see ReadOptions), in
 * (partition, offset) order, read through a throw-away consumer group that is deleted afterwards;
 * from `opts.from` on (else the log start), the ones `opts.keep` accepts (else all).
 */
export async function readToHighWatermark(
  settings: KafkaSettings,
  topic: string,
  opts: ReadOptions = {},
): Promise<ConsumedRecord[]> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const ends = await listEnds(settings, topic, opts.isolation ?? 'read_committed', deadline);

  const want = new Map(ends.map((p) => [p.partition, p.end]));
  const startOf = (p: PartitionEnds) => {
    const from = opts.from?.get(p.partition);
    return from !== undefined && from > p.start ? from : p.start;
  };
  const position = new Map(ends.map((p) => [p.partition, startOf(p)]));
  const remaining = new Set(ends.filter((p) => p.end > startOf(p)).map((p) => p.partition));
  if (remaining.size === 0) return [];
  const client = createKafka(settings);
  const admin = client.admin();
  await admin.connect();
  try {
    const groupId = `orders-reader-${randomUUID()}`;
    // the throw-away group starts where it has committed offsets: from `from`
    if (opts.from) {
      const partitions = ends.map((p) => ({ partition: p.partition, offset: String(startOf(p)) }));
      await admin.setOffsets({ groupId, topic, partitions });
    }
    // the next offset to take per partition: a batch delivered again (kafkajs refetches from the
    // last resolved offset after a rebalance or a retried fetch) adds no record twice
    const taken = new Map(ends.map((p) => [p.partition, startOf(p)]));
    const out: ConsumedRecord[] = [];
    const consumer = client.consumer({
      groupId,
      readUncommitted: opts.isolation === 'read_uncommitted',
      maxWaitTimeInMs: 500,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => {
            const behind = [...remaining].map(
              (p) => `${p} at ${position.get(p)} of ${want.get(p)}`,
            );
            reject(
              new KafkaError(
                `reading ${topic} to its high watermark timed out after ${timeoutMs} ms (partition ${behind.join(', ')})`,
                { type: 'TIMEOUT' },
              ),
            );
          },
          Math.max(0, deadline - Date.now()),
        );
        const advance = (partition: number, lastOffset: string) => {
          const next = BigInt(lastOffset) + 1n;
          if (next > (position.get(partition) ?? 0n)) position.set(partition, next);
          if (next >= (want.get(partition) ?? 0n)) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        };
        // emitted for every batch, also for one of only markers or aborted records, which the
        // batch handler never sees
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
          advance(payload.partition, payload.lastOffset),
        );
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        consumer
          .connect()
          .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
          .then(() =>
            consumer.run({
              eachBatch: async ({ batch }) => {
                const end = want.get(batch.partition) ?? 0n;
                for (const m of batch.messages) {
                  const offset = BigInt(m.offset);
                  // records produced after the call are not part of this read
                  if (offset >= end) break;
                  if (offset < (taken.get(batch.partition) ?? 0n)) continue;
                  taken.set(batch.partition, offset + 1n);
                  const record: ConsumedRecord = {
                    partition: batch.partition,
                    offset: m.offset,
                    key: m.key,
                    value: m.value,
                    timestamp: m.timestamp,
                    headers: headerText(m.headers),
                  };
                  if (!opts.keep || opts.keep(record)) out.push(record);
                }
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => {});
      await admin.deleteGroups([groupId]).catch(() => {});
    }
    return out.sort((a, b) =>
      a.partition !== b.partition
        ? a.partition - b.partition
        : BigInt(a.offset) < BigInt(b.offset)
          ? -1
          : 1,
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function headerText(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export type PartitionEnds = {
  partition: number;
  /** log start offset */
  start: bigint;
  /** last stable offset (read_committed) or high watermark (read_uncommitted) */
  end: bigint;
};

/**
 * Every partition's log start and end offset at `isolation` (default read_committed), in
 * partition order. The two ends differ while a transaction is open on the partition.
 */
export function listEndOffsets(
  settings: KafkaSettings,
  topic: string,
  opts: Pick<ReadOptions, 'isolation' | 'timeoutMs'> = {},
): Promise<PartitionEnds[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  return listEnds(settings, topic, opts.isolation ?? 'read_committed', deadline);
}

/**
 * Log start and end offset of every partition of `topic` at `isolation`. Metadata that is not
 * there yet (a topic just created: its leader may answer NOT_LEADER for a moment) is retried until
 * the deadline.
 */
async function listEnds(
  settings: KafkaSettings,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  deadline: number,
): Promise<PartitionEnds[]> {
  const m = await loadPlatformatic();
  const admin = new m.Admin(
    platformaticConnection(m, {
      brokers: settings.brokers,
      clientId: settings.clientId,
      ssl: settings.ssl,
      sasl: settings.sasl,
      connectionTimeoutMs: settings.connectionTimeoutMs ?? 5_000,
      requestTimeoutMs: settings.requestTimeoutMs ?? 30_000,
      // fewer can leave a failed request unsettled in 2.12.1 (apps/producer)
      retries: 3,
      retryDelayMs: 300,
    }),
  );
  try {
    for (;;) {
      try {
        const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
        const count = metadata.topics.get(topic)?.partitions.length ?? 0;
        const partitions = Array.from({ length: count }, (_, i) => i);
        const list = async (timestamp: bigint, isolationLevel: 0 | 1) => {
          const [listed] = await admin.listOffsets({
            topics: [
              {
                name: topic,
                partitions: partitions.map((i) => ({ partitionIndex: i, timestamp })),
              },
            ],
            isolationLevel,
          });
          return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
        };
        // -2: the log start, -1: the end (high watermark or last stable offset)
        const starts = await list(-2n, 0);
        const ends = await list(-1n, isolation === 'read_committed' ? 1 : 0);
        return partitions.map((partition) => ({
          partition,
          start: starts.get(partition) ?? 0n,
          end: ends.get(partition) ?? 0n,
        }));
      } catch (err) {
        if (!KafkaError.from(err).staleMetadata || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await admin.close().catch(() => {});
  }
}
