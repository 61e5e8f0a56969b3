// What memory may hold, and when batches may write to it. Memory holds only orders of partitions
// owned without a gap (partition-ownership.ts): another instance may ingest newer versions of the
// others, which this one would never see. Batches wait while memory is restored (after the first
// join, and after a join that brings in partitions not owned without a gap): a batch's puts must
// not be overtaken by an older snapshot.
import type { OrderStore } from '@orders/store';
import { errorFields, type Logger } from './logger.ts';
import type { OrdersRepo } from './orders-repo.ts';
import { createPartitionOwnership } from './partition-ownership.ts';
import { type RestoreLimits, restoreFromDatabase } from './restore.ts';

export type MemoryGate = {
  /** resolves once no restore is pending (a batch awaits it before writing) */
  beforeBatch(): Promise<void>;
  /** the first restore, after the first join; true once memory is restored (or restore is off) */
  restoreFirst(): Promise<void>;
  restored(): boolean;
  /** a group join: keep what was owned throughout, restore partitions new to this instance */
  joined(memberId: string, partitions: number[]): void;
  /** the membership is gone (consumer crashed): memory holds nothing until the next join */
  lost(): void;
  /** let waiting batches through (a start that failed or was stopped) */
  open(): void;
};

export type MemoryGateOptions = {
  repo: OrdersRepo;
  store: OrderStore;
  limits: RestoreLimits;
  /** MEMORY_RESTORE_DATA */
  restore: boolean;
  logger: Logger;
  isStopping(): boolean;
};

export function createMemoryGate(o: MemoryGateOptions): MemoryGate {
  const { store, logger } = o;
  const ownership = createPartitionOwnership();
  let restored = !o.restore;
  let openFirst: () => void = () => {};
  let gate = new Promise<void>((r) => {
    openFirst = r;
  });
  if (restored) openFirst();

  function dropUnowned(kept: number[]): void {
    const dropped = store.retainPartitions(kept);
    if (dropped > 0) {
      logger.info('memory: dropped the orders of partitions no longer owned', { dropped, kept });
    }
  }

  // The newest orders of the partitions owned now; afterwards only those still owned without a gap
  // are kept (a rebalance during the restore). Returns the partitions restored.
  async function restoreOwned(): Promise<number[]> {
    if (o.isStopping()) return [];
    const mark = ownership.mark();
    const partitions = ownership.owned();
    try {
      await restoreFromDatabase({ repo: o.repo, store, limits: o.limits, partitions, logger });
    } finally {
      dropUnowned(ownership.heldSince(mark));
    }
    return partitions;
  }

  // After the first restore a failure is not fatal: memory misses some orders, reads go through.
  function restoreBeforeNextBatch(): void {
    gate = gate.then(() =>
      restoreOwned().then(
        () => {},
        (err) => logger.warn('memory restore after a rebalance failed', errorFields(err)),
      ),
    );
  }

  return {
    async beforeBatch() {
      // a restore queued while waiting replaces the gate: wait for the newest one
      for (let current = gate; ; current = gate) {
        await current;
        if (current === gate) return;
      }
    },
    // Restore after the first join, only the assigned partitions: by then their previous owners
    // have finished and committed their batches, so the snapshot is at least as new as the offsets
    // this instance resumes from (a restore before the join could miss an update another instance
    // made meanwhile, and never see it again).
    async restoreFirst() {
      if (restored) return;
      try {
        const done = await restoreOwned();
        if (o.isStopping()) return;
        restored = true;
        // partitions that came in during the restore: restore again before their batches run
        if (ownership.owned().some((x) => !done.includes(x))) restoreBeforeNextBatch();
      } finally {
        openFirst();
      }
    },
    restored: () => restored,
    joined(memberId, partitions) {
      const kept = ownership.join(memberId, partitions);
      dropUnowned(kept);
      // partitions new to this instance (moved here, or back after a crash) are restored like at
      // start (the first restore is restoreFirst's)
      if (o.restore && restored && partitions.some((x) => !kept.includes(x))) {
        restoreBeforeNextBatch();
      }
    },
    lost() {
      ownership.lose();
      dropUnowned([]);
    },
    open: () => openFirst(),
  };
}
