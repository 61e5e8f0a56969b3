import { describe, expect, it } from 'vitest';
import { createPlan } from './plan.ts';

const KINDS = ['a', 'b', 'c'] as const;

function tally(
  seed: number,
  ratios: { invalid: number; duplicate: number; update: number },
  n: number,
) {
  const plan = createPlan({ seed, ratios, invalidKinds: KINDS });
  const counts = { valid: 0, invalid: 0, duplicate: 0, update: 0, a: 0, b: 0, c: 0 };
  for (let i = 0; i < n; i++) {
    const step = plan(i);
    counts[step.type]++;
    if (step.type === 'invalid') counts[step.kind]++;
  }
  return counts;
}

describe('createPlan', () => {
  it('follows the ratios', () => {
    const n = 200_000;
    const counts = tally(1, { invalid: 0.1, duplicate: 0.05, update: 0.2 }, n);
    expect(counts.invalid / n).toBeCloseTo(0.1, 2);
    expect(counts.duplicate / n).toBeCloseTo(0.05, 2);
    expect(counts.update / n).toBeCloseTo(0.2, 2);
    expect(counts.valid / n).toBeCloseTo(0.65, 2);
    // Invalid kinds are drawn evenly.
    for (const kind of KINDS) expect(counts[kind] / counts.invalid).toBeCloseTo(1 / 3, 1);
  });

  it('makes only valid messages with zero ratios, only invalid ones with ratio 1', () => {
    expect(tally(5, { invalid: 0, duplicate: 0, update: 0 }, 10_000).valid).toBe(10_000);
    expect(tally(5, { invalid: 1, duplicate: 0, update: 0 }, 10_000).invalid).toBe(10_000);
  });

  it('is a pure function of seed and index', () => {
    const ratios = { invalid: 0.3, duplicate: 0.3, update: 0.3 };
    const a = createPlan({ seed: 9, ratios, invalidKinds: KINDS });
    const b = createPlan({ seed: 9, ratios, invalidKinds: KINDS });
    const c = createPlan({ seed: 10, ratios, invalidKinds: KINDS });
    const indexes = [0, 1, 2, 1000, 123_456, 2 ** 40 + 3];
    expect(indexes.map(a)).toEqual([...indexes].reverse().map(b).reverse());
    const first = Array.from({ length: 100 }, (_, i) => a(i));
    const other = Array.from({ length: 100 }, (_, i) => c(i));
    expect(other).not.toEqual(first);
  });
});
