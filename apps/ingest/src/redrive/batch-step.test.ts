import { describe, expect, it } from 'vitest';
import type { ValidOrder } from '../handle-batch.ts';
import { rounds } from './batch-step.ts';

const order = (uid: string, offset: number) => ({ uid, offset: String(offset) }) as ValidOrder;

describe('rounds', () => {
  it('splits orders into statements with each uid once, keeping their order', () => {
    const out = rounds([order('a', 1), order('b', 2), order('a', 3), order('a', 4), order('c', 5)]);
    expect(out.map((r) => r.map((o) => `${o.uid}${o.offset}`))).toEqual([
      ['a1', 'b2', 'c5'],
      ['a3'],
      ['a4'],
    ]);
    expect(rounds([])).toEqual([]);
  });
});
