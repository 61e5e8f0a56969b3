// Which partitions this instance has owned without a gap, from the consumer group's joins. Memory
// may only hold orders of such partitions: while another instance owns a partition it may ingest
// newer versions, which this one would never see.
//
// kafkajs reports joins only (no revoke callback). Its protocol is eager: at every rebalance every
// member finishes its in-flight batches, then rejoins, so between two joins under the same member
// id the partitions listed by both were owned throughout. A new member id (the session expired, or
// kafkajs restarted the consumer after a crash) means the coordinator dropped this member in
// between: any partition may have been consumed elsewhere meanwhile, so nothing counts as kept.

export type PartitionOwnership = {
  /** A group join: records the assignment; returns the partitions owned without a gap before it. */
  join(memberId: string, partitions: readonly number[]): number[];
  /** The membership is gone (consumer crashed): nothing is owned until the next join. */
  lose(): void;
  /** The current assignment. */
  owned(): number[];
  /** A point in the sequence of joins, for `heldSince`. */
  mark(): number;
  /** The partitions owned without a gap since `mark` was taken. */
  heldSince(mark: number): number[];
};

export function createPartitionOwnership(): PartitionOwnership {
  let memberId: string | undefined;
  // bumped at every join and loss; `since` maps each owned partition to the step its ownership began
  let step = 0;
  let since = new Map<number, number>();

  return {
    join(id, partitions) {
      step++;
      const continuous = memberId !== undefined && id === memberId;
      const next = new Map<number, number>();
      for (const p of partitions) next.set(p, (continuous && since.get(p)) || step);
      memberId = id;
      since = next;
      return [...next].filter(([, s]) => s < step).map(([p]) => p);
    },
    lose() {
      step++;
      memberId = undefined;
      since = new Map();
    },
    owned: () => [...since.keys()],
    mark: () => step,
    heldSince: (mark) => [...since].filter(([, s]) => s <= mark).map(([p]) => p),
  };
}
