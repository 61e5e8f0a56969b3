// A small seeded PRNG (mulberry32): the corpus and the fault schedule must replay from the seed.
export type Random = {
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  uint32(): number;
};

export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  const uint32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = () => uint32() / 4294967296;
  return { next, uint32, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
