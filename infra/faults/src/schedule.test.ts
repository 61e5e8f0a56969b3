import { describe, expect, it } from 'vitest';
import { FAULT_COUNTS, planFaults } from './schedule.ts';

describe('planFaults', () => {
  it('holds every fault kind as often as FAULT_COUNTS says, with gaps within bounds', () => {
    const plan = planFaults(42, { min: 1000, max: 3000 });
    const counts: Record<string, number> = {};
    for (const f of plan) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
    expect(counts).toEqual(FAULT_COUNTS);
    for (const f of plan) {
      expect(f.gapMs).toBeGreaterThanOrEqual(1000);
      expect(f.gapMs).toBeLessThanOrEqual(3000);
    }
    expect(
      plan.find((f) => f.kind === 'ingest-crash-after-commit')?.crashAfterBatches,
    ).toBeGreaterThan(0);
  });

  it('replays from the seed and differs between seeds', () => {
    const gaps = { min: 1000, max: 3000 };
    expect(planFaults(1, gaps)).toEqual(planFaults(1, gaps));
    expect(planFaults(1, gaps)).not.toEqual(planFaults(2, gaps));
  });

  it('gives every run the zombie member and the read-only outage once', () => {
    for (let seed = 0; seed < 50; seed++) {
      const kinds = planFaults(seed, { min: 1000, max: 3000 }).map((f) => f.kind);
      expect(kinds.filter((k) => k === 'zombie-member')).toHaveLength(1);
      expect(kinds.filter((k) => k === 'pg-read-only')).toHaveLength(1);
    }
  });
});
