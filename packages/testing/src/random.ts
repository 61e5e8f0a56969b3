// mulberry32: a small, fast seeded PRNG. Tests, benchmarks and the fault suite draw from it so that
// a failing case, a benchmark's data set or a fault schedule replays from its seed. (The load
// generator has its own, faster-per-call generator: apps/producer/src/random.ts.)

/** Uniform 32-bit unsigned integers from `seed` (any number; only its low 32 bits count). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform floats in [0, 1) from `seed`: mulberry32's integers over 2^32. */
export function seededRandom(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}
