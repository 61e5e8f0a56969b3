import { describe, expect, it } from 'vitest';
import { createPartitionOwnership } from './partition-ownership.ts';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('partition ownership', () => {
  it('the first join keeps nothing: no partition was owned before it', () => {
    const o = createPartitionOwnership();
    expect(o.join('m1', [0, 1, 2])).toEqual([]);
    expect(sorted(o.owned())).toEqual([0, 1, 2]);
  });

  it('a rejoin under the same member keeps the partitions listed by both assignments', () => {
    const o = createPartitionOwnership();
    o.join('m1', [0, 1, 2, 3]);
    expect(sorted(o.join('m1', [1, 3, 4]))).toEqual([1, 3]);
    expect(sorted(o.owned())).toEqual([1, 3, 4]);
    // 4 is owned from this join on; 0 came back after a gap, so it is not kept
    expect(sorted(o.join('m1', [0, 1, 4]))).toEqual([1, 4]);
  });

  it('a new member id keeps nothing (the coordinator dropped this member meanwhile)', () => {
    const o = createPartitionOwnership();
    o.join('m1', [0, 1]);
    expect(o.join('m2', [0, 1])).toEqual([]);
    expect(sorted(o.join('m2', [0, 1]))).toEqual([0, 1]);
  });

  it('after a loss (crash) nothing is owned and the next join keeps nothing', () => {
    const o = createPartitionOwnership();
    o.join('m1', [0, 1]);
    o.lose();
    expect(o.owned()).toEqual([]);
    expect(o.join('m1', [0, 1])).toEqual([]);
  });

  it('heldSince(mark): the partitions owned without a gap since the mark', () => {
    const o = createPartitionOwnership();
    o.join('m1', [0, 1, 2]);
    const mark = o.mark();
    expect(sorted(o.heldSince(mark))).toEqual([0, 1, 2]);
    o.join('m1', [1, 2, 5]);
    expect(sorted(o.heldSince(mark))).toEqual([1, 2]);
    const later = o.mark();
    expect(sorted(o.heldSince(later))).toEqual([1, 2, 5]);
    o.join('m2', [1, 2, 5]);
    expect(o.heldSince(mark)).toEqual([]);
    expect(o.heldSince(later)).toEqual([]);
    o.lose();
    const afterLoss = o.mark();
    o.join('m3', [7]);
    expect(o.heldSince(afterLoss)).toEqual([]);
    expect(o.heldSince(o.mark())).toEqual([7]);
  });
});
