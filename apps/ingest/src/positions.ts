// Where each owned partition stands in PostgreSQL, as this member knows it: the next offset to
// read (consumer_offsets), or "no row yet". Read at every group join, before anything is fetched
// (the consumer seeks each partition there), and moved by each batch this member commits. A batch
// only commits from the value known here (offsets-repo.ts advance), so a member whose knowledge
// is stale (a zombie, or one that lost a race) writes nothing.
import type { GroupConsumer } from '@orders/kafka';
import type { OffsetsRepo } from './offsets-repo.ts';

export type Positions = {
  /**
   * At a join: forget everything, read the assigned partitions' stored offsets and know them.
   * Returns the partitions that have a stored offset, to seek to.
   */
  onJoin(partitions: number[]): Promise<Map<number, string>>;
  /** the stored next offset as known (undefined: no row yet), reading it if not known */
  expected(partition: number): Promise<string | undefined>;
  /** this member's batch moved it */
  moved(partition: number, next: string): void;
  /** forget a partition (another member moved it): the next `expected` reads it again */
  forget(partition: number): void;
};

export function createPositions(o: {
  offsets: Pick<OffsetsRepo, 'read'>;
  groupId: string;
  topic: string;
}): Positions {
  // a partition absent: not known; present with undefined: known to have no row
  let known = new Map<number, string | undefined>();

  async function read(partitions: number[]): Promise<Map<number, string>> {
    return o.offsets.read(o.groupId, o.topic, partitions);
  }

  return {
    async onJoin(partitions) {
      const mine = new Map<number, string | undefined>();
      known = mine;
      const stored = await read(partitions);
      // a later join replaced the map meanwhile: it reads its own
      if (mine !== known) return stored;
      for (const p of partitions) mine.set(p, stored.get(p));
      return stored;
    },
    async expected(partition) {
      if (known.has(partition)) return known.get(partition);
      const stored = (await read([partition])).get(partition);
      known.set(partition, stored);
      return stored;
    },
    moved(partition, next) {
      known.set(partition, next);
    },
    forget(partition) {
      known.delete(partition);
    },
  };
}

/**
 * The owned partitions' lag from PostgreSQL's positions (what a restart resumes from); a partition
 * without one yet from the group's committed offset, else the log start.
 */
export async function lagFromPostgres(
  consumer: Pick<GroupConsumer, 'fetchOffsets'>,
  offsets: Pick<OffsetsRepo, 'read'>,
  at: { groupId: string; topic: string },
  owned: number[],
): Promise<{ partition: number; lag: number }[]> {
  if (owned.length === 0) return [];
  const [ends, stored] = await Promise.all([
    consumer.fetchOffsets(),
    offsets.read(at.groupId, at.topic, owned),
  ]);
  return ends
    .filter((e) => owned.includes(e.partition))
    .map((e) => {
      const s = stored.get(e.partition);
      const from = s !== undefined ? BigInt(s) : e.committed >= 0n ? e.committed : e.low;
      return { partition: e.partition, lag: Number(e.high > from ? e.high - from : 0n) };
    });
}
