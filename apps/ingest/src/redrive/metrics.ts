// Redrive's metric families, on the process's registry next to ingest's: letters by what became of
// them (sent by a run; then stored, superseded or dead-lettered again by the batch that consumed
// them; failed: refused by Kafka) and the runs this instance is executing.
import type { Registry } from '@orders/metrics';
import type { RedriveCounts } from './batch-step.ts';

export const REDRIVE_OUTCOMES = [
  'sent',
  'stored',
  'superseded',
  'dead_lettered',
  'failed',
] as const;
export type RedriveOutcome = (typeof REDRIVE_OUTCOMES)[number];

export type RedriveMetrics = {
  count(outcome: RedriveOutcome, n: number): void;
  /** a batch's recorded outcomes, after its COMMIT */
  consumed(counts: RedriveCounts): void;
  value(outcome: RedriveOutcome): number;
};

export function createRedriveMetrics(registry: Registry, active: () => number): RedriveMetrics {
  const family = registry.counter({
    name: 'orders_redrives_total',
    help: 'Redriven letters by outcome: sent by a run, then stored, superseded (newer content kept) or dead_lettered again by ingest; failed: refused by Kafka.',
    labelNames: ['outcome'],
  });
  const children = Object.fromEntries(REDRIVE_OUTCOMES.map((o) => [o, family.labels(o)])) as Record<
    RedriveOutcome,
    ReturnType<typeof family.labels>
  >;
  registry.gauge({
    name: 'orders_redrive_runs_in_progress',
    help: 'Redrive runs this instance is executing (sending letters).',
    collect: (set) => set(active()),
  });
  return {
    count: (outcome, n) => children[outcome].inc(n),
    consumed(c) {
      children.stored.inc(c.stored);
      children.superseded.inc(c.superseded);
      children.dead_lettered.inc(c.deadLettered);
    },
    value: (outcome) => children[outcome].value,
  };
}
