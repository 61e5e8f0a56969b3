// A consumer group's position on a topic, from admin offsets: committed offset, log start and
// high watermark per partition, and the lag they make.
import type { Admin } from './client.ts';

export type PartitionOffsets = {
  partition: number;
  /** the group's committed offset (the next to read); -1n when it has none */
  committed: bigint;
  /** log start offset */
  low: bigint;
  /** high watermark (the offset the next record gets) */
  high: bigint;
  /** records not consumed yet: high − committed (from the log start when none), never < 0 */
  lag: number;
};

/** Every partition of `topic`, in partition order, as the group `groupId` stands on it. */
export async function readGroupOffsets(
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
  groupId: string,
  topic: string,
): Promise<PartitionOffsets[]> {
  const [committed, latest] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsets(topic),
  ]);
  const committedBy = new Map<number, bigint>();
  for (const p of committed[0]?.partitions ?? []) {
    committedBy.set(p.partition, BigInt(p.offset));
  }
  return latest
    .map((p) => {
      const high = BigInt(p.high);
      const low = BigInt(p.low);
      const c = committedBy.get(p.partition) ?? -1n;
      const from = c >= 0n ? c : low;
      return {
        partition: p.partition,
        committed: c,
        low,
        high,
        lag: Number(high > from ? high - from : 0n),
      };
    })
    .sort((a, b) => a.partition - b.partition);
}

/** The sum of the partitions' lag. */
export function totalLag(offsets: PartitionOffsets[]): number {
  return offsets.reduce((sum, p) => sum + p.lag, 0);
}
