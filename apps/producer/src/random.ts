// A small seeded PRNG (sfc32, seeded through splitmix32). Faker's own Mersenne Twister is far
// slower per call, and the hot path draws many numbers per order.

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pair = (byte: number): string => HEX_PAIRS[byte] as string;

export type Random = {
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
  /** `length` characters of `alphabet`. */
  chars(alphabet: string, length: number): string;
};

/** Mixes two 32-bit values into one; used to derive independent seeds from (seed, stream). */
export function mixSeed(seed: number, stream: number): number {
  let z = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createRandom(seed: number): Random {
  let a = mixSeed(seed, 0);
  let b = mixSeed(seed, 1);
  let c = mixSeed(seed, 2);
  let d = 1;
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that nearby seeds diverge immediately.
  for (let i = 0; i < 12; i++) uint32();

  const float = (): number => uint32() / 4294967296;
  const int = (min: number, max: number): number => min + Math.floor(float() * (max - min + 1));
  const chars = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(float() * alphabet.length)];
    return out;
  };
  return {
    uint32,
    float,
    int,
    chance: (probability) => float() < probability,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(float() * items.length)] as T;
    },
    hex: (length) => {
      // Two digits per table lookup, eight per draw (Number#toString(16) is slower still).
      let out = '';
      while (out.length < length) {
        const x = uint32();
        out += pair(x & 0xff) + pair((x >>> 8) & 0xff) + pair((x >>> 16) & 0xff) + pair(x >>> 24);
      }
      return out.length === length ? out : out.slice(0, length);
    },
    chars,
  };
}

/** Picks an index with probability proportional to its weight. */
export function weightedIndex(random: Random, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let r = random.float() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
