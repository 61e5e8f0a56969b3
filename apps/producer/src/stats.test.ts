import { describe, expect, it } from 'vitest';
import { createStats, formatSummary, summarize } from './stats.ts';

const run = { topic: 'orders', dryRun: false, seed: 7, count: 100, elapsedMs: 2000 };

describe('summarize / formatSummary', () => {
  it('counts by type and computes the rate over the elapsed time', () => {
    const stats = createStats();
    stats.sent = 90;
    stats.errors = 10;
    stats.sentByType = { valid: 80, invalid: 5, duplicate: 3, update: 2 };
    stats.sentByInvalidKind = { empty: 2, oversize: 3 };
    const summary = summarize(stats, run, 'count');
    expect(summary).toMatchObject({
      sent: 90,
      errors: 10,
      valid: 80,
      invalid: 5,
      duplicates: 3,
      updates: 2,
      ordersPerSecond: 45,
    });
    const text = formatSummary(summary);
    expect(text).toContain('sent 90 messages to topic orders in 2.0 s (45/s), seed 7');
    expect(text).toContain('invalid by kind: empty 2, oversize 3');
    expect(text).not.toContain('stopped');
  });

  it('says when a run was stopped before its count, and wraps a long list of kinds', () => {
    const stats = createStats();
    stats.sent = 40;
    for (let i = 0; i < 25; i++) stats.sentByInvalidKind[`kind-number-${i}`] = i;
    const text = formatSummary(summarize(stats, run, 'stopped'));
    expect(text).toContain('stopped on request after 40 of 100');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const untilStopped = formatSummary(summarize(stats, { ...run, count: 0 }, 'stopped'));
    expect(untilStopped).not.toContain('stopped on request');
  });
});
