// The consumer's position in PostgreSQL: one row per (group, topic, partition), the next offset to
// read. A batch's transaction moves it together with the batch's orders and dead letters, and only
// from the value this member last knew (a conditional update): a member whose partition was given
// to another while it was paused (a zombie) finds another value there, writes nothing and rejoins.
import type { Queryable } from './db.ts';

export type PartitionOf = { groupId: string; topic: string; partition: number };

export type OffsetsRepo = {
  /** the stored next offsets of `partitions` (a partition without a row is absent) */
  read(groupId: string, topic: string, partitions: number[]): Promise<Map<number, string>>;
  /**
   * In the batch's transaction: from `expected` (undefined: no row yet) to `next`. false when the
   * stored offset is not `expected`: another member moved it, this one must not write.
   */
  advance(
    tx: Queryable,
    at: PartitionOf,
    expected: string | undefined,
    next: string,
  ): Promise<boolean>;
};

export function createOffsetsRepo(db: Queryable): OffsetsRepo {
  return {
    async read(groupId, topic, partitions) {
      const { rows } = await db.query<{ partition: number; next_offset: string | number }>(
        `SELECT partition, next_offset::text AS next_offset FROM consumer_offsets
         WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])`,
        [groupId, topic, partitions],
      );
      return new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
    },
    async advance(tx, at, expected, next) {
      const result =
        expected === undefined
          ? await tx.query(
              `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
              [at.groupId, at.topic, at.partition, next],
            )
          : await tx.query(
              `UPDATE consumer_offsets SET next_offset = $4, updated_at = now()
               WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $5`,
              [at.groupId, at.topic, at.partition, next, expected],
            );
      return result.rowCount === 1;
    },
  };
}
