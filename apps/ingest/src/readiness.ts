// /readyz: ready once memory is restored, the consumer has joined its group, PostgreSQL answers
// and no partition is paused on a failing sink; otherwise every reason, for the operator.

export type ReadinessState = {
  restored: boolean;
  joined: boolean;
  postgresOk: boolean;
  /** a sink is failing; with the partitions paused for it (`topic/partition`) */
  degraded: boolean;
  failingPartitions: string[];
};

export function readiness(s: ReadinessState): { ready: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (!s.restored) reasons.push('memory not restored yet');
  if (!s.joined) reasons.push('consumer has not joined its group');
  if (!s.postgresOk) reasons.push('postgres not answering');
  if (s.degraded) {
    const on = s.failingPartitions.length > 0 ? ` on ${s.failingPartitions.join(', ')}` : '';
    reasons.push(`consumption paused${on}: a sink is failing, batches retrying with backoff`);
  }
  return { ready: reasons.length === 0, reasons };
}
