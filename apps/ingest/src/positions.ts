// Where each owned partition stands in PostgreSQL, as this member knows it: the next offset to
// read (consumer_offsets), or "no row yet". Read at every group join, before anything is fetched
// (the consumer seeks each partition there), and moved by each batch this member commits. A batch
// only commits from the value known here (offsets-repo.ts advance), so a member whose knowledge
// is stale (a zombie, or one that lost a race) writes nothing.
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
