export type MessageType = 'valid' | 'invalid' | 'duplicate' | 'update';

/** Counters of one run; mutated by the run loop, read by progress and summary. */
export type RunStats = {
  /** Messages handed to the sink (sent, failed or in flight). */
  produced: number;
  /** Messages acknowledged by the broker (or written, with --dry-run). */
  sent: number;
  /** Messages whose send failed after retries. */
  errors: number;
  /** Value bytes acknowledged. */
  bytes: number;
  sentByType: Record<MessageType, number>;
  sentByInvalidKind: Record<string, number>;
};

export function createStats(): RunStats {
  return {
    produced: 0,
    sent: 0,
    errors: 0,
    bytes: 0,
    sentByType: { valid: 0, invalid: 0, duplicate: 0, update: 0 },
    sentByInvalidKind: {},
  };
}

export type StopReason = 'count' | 'stopped' | 'error';

export type Summary = {
  topic: string;
  dryRun: boolean;
  seed: number;
  stoppedBy: StopReason;
  error?: string;
  /** Messages asked for; 0 = until stopped. */
  count: number;
  sent: number;
  errors: number;
  valid: number;
  invalid: number;
  duplicates: number;
  updates: number;
  invalidByKind: Record<string, number>;
  bytes: number;
  elapsedMs: number;
  ordersPerSecond: number;
};

export function summarize(
  stats: RunStats,
  run: { topic: string; dryRun: boolean; seed: number; count: number; elapsedMs: number },
  stoppedBy: StopReason,
  error?: string,
): Summary {
  const seconds = run.elapsedMs / 1000;
  return {
    topic: run.topic,
    dryRun: run.dryRun,
    seed: run.seed,
    stoppedBy,
    ...(error === undefined ? {} : { error }),
    count: run.count,
    sent: stats.sent,
    errors: stats.errors,
    valid: stats.sentByType.valid,
    invalid: stats.sentByType.invalid,
    duplicates: stats.sentByType.duplicate,
    updates: stats.sentByType.update,
    invalidByKind: { ...stats.sentByInvalidKind },
    bytes: stats.bytes,
    elapsedMs: Math.round(run.elapsedMs),
    ordersPerSecond: seconds > 0 ? Math.round(stats.sent / seconds) : 0,
  };
}

export function formatSummary(summary: Summary): string {
  const lines = [
    `${summary.dryRun ? 'wrote' : 'sent'} ${summary.sent.toLocaleString('en-US')} message${summary.sent === 1 ? '' : 's'} to ${
      summary.dryRun ? 'stdout' : `topic ${summary.topic}`
    } in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.ordersPerSecond.toLocaleString('en-US')}/s), seed ${summary.seed}`,
    `  valid ${summary.valid}, invalid ${summary.invalid}, duplicates ${summary.duplicates}, updates ${summary.updates}, errors ${summary.errors}`,
  ];
  const kinds = Object.entries(summary.invalidByKind).sort(([a], [b]) => a.localeCompare(b));
  if (kinds.length > 0) {
    // Wrapped at ~100 columns: there are over twenty kinds.
    let row = '  invalid by kind:';
    for (const [kind, n] of kinds) {
      const part = ` ${kind} ${n},`;
      if (row.length + part.length > 100) {
        lines.push(row);
        row = '   ';
      }
      row += part;
    }
    lines.push(row.replace(/,$/, ''));
  }
  if (summary.stoppedBy === 'stopped' && summary.count > 0) {
    lines.push(`  stopped on request after ${summary.sent + summary.errors} of ${summary.count}`);
  }
  if (summary.error) lines.push(`  error: ${summary.error}`);
  return `${lines.join('\n')}\n`;
}
