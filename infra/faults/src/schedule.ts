// The fault schedule of a run (pure, seeded): which faults, in what order, with what pauses.
import { createRandom } from './random.ts';

export type FaultKind =
  | 'ingest-kill'
  | 'ingest-crash-after-commit'
  | 'ingest-sigterm'
  | 'pg-restart-fast'
  | 'pg-restart-immediate'
  | 'pg-terminate-backends'
  | 'pg-down-long'
  | 'pg-read-only'
  | 'broker-kill'
  | 'zombie-member';

export type PlannedFault = {
  kind: FaultKind;
  /** pause before injecting it, ms */
  gapMs: number;
  /** crash hook: die after this many committed batches */
  crashAfterBatches?: number;
};

export const FAULT_COUNTS: Record<FaultKind, number> = {
  'ingest-kill': 5,
  'ingest-crash-after-commit': 1,
  'ingest-sigterm': 1,
  'pg-restart-fast': 1,
  'pg-restart-immediate': 1,
  'pg-terminate-backends': 1,
  'pg-down-long': 1,
  'pg-read-only': 1,
  'broker-kill': 1,
  'zombie-member': 1,
};

export function planFaults(seed: number, gapMs: { min: number; max: number }): PlannedFault[] {
  const rnd = createRandom(seed ^ 0x5eed);
  const kinds: FaultKind[] = [];
  for (const [kind, n] of Object.entries(FAULT_COUNTS) as [FaultKind, number][]) {
    for (let i = 0; i < n; i++) kinds.push(kind);
  }
  // Fisher–Yates with the seeded generator
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  return kinds.map((kind) => ({
    kind,
    gapMs: rnd.int(gapMs.min, gapMs.max),
    ...(kind === 'ingest-crash-after-commit' ? { crashAfterBatches: rnd.int(2, 6) } : {}),
  }));
}
