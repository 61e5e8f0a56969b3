import { mixSeed } from './random.ts';

export type PlanRatios = {
  /** Share of messages that are invalid, 0–1. */
  invalid: number;
  /** Share that re-send an earlier valid message byte for byte. */
  duplicate: number;
  /** Share that re-send an earlier order_uid with changed content. */
  update: number;
};

export type Step<Kind extends string = string> =
  | { type: 'valid' }
  | { type: 'invalid'; kind: Kind; variant: number }
  | { type: 'duplicate'; pick: number }
  | { type: 'update'; pick: number };

export type PlanOptions<Kind extends string> = {
  seed: number;
  ratios: PlanRatios;
  /** Invalid kinds to draw from, uniformly. */
  invalidKinds: readonly Kind[];
};

/**
 * Decides what message `index` is, as a pure function of (seed, ratios, index): a run can be
 * replayed or resumed at any index and makes the same decisions.
 */
export function createPlan<Kind extends string>(
  options: PlanOptions<Kind>,
): (index: number) => Step<Kind> {
  const { seed, ratios, invalidKinds } = options;
  const invalidEnd = invalidKinds.length > 0 ? ratios.invalid : 0;
  const duplicateEnd = invalidEnd + ratios.duplicate;
  const updateEnd = duplicateEnd + ratios.update;
  return (index) => {
    const roll = uniform(seed, index, 0);
    if (roll < invalidEnd) {
      const kind = invalidKinds[Math.floor(uniform(seed, index, 1) * invalidKinds.length)] as Kind;
      return { type: 'invalid', kind, variant: hash(seed, index, 2) };
    }
    if (roll < duplicateEnd) return { type: 'duplicate', pick: hash(seed, index, 3) };
    if (roll < updateEnd) return { type: 'update', pick: hash(seed, index, 4) };
    return { type: 'valid' };
  };
}

function hash(seed: number, index: number, salt: number): number {
  // Two rounds so that neighbouring indexes and salts land far apart.
  return (
    (mixSeed(mixSeed(seed, salt), index % 0x1_0000_0000) ^ Math.floor(index / 0x1_0000_0000)) >>> 0
  );
}

function uniform(seed: number, index: number, salt: number): number {
  return hash(seed, index, salt) / 0x1_0000_0000;
}
