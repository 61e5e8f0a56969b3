// The suite's seeded source (@orders/testing's mulberry32): the corpus and the fault schedule must
// replay from the seed.
import { mulberry32 } from '@orders/testing';

export type Random = {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  uint32(): number;
};

export function createRandom(seed: number): Random {
  const uint32 = mulberry32(seed);
  const next = () => uint32() / 4294967296;
  return { next, uint32, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
