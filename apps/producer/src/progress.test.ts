import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDuration, formatProgressLine, startProgress } from './progress.ts';
import { createStats } from './stats.ts';

describe('formatProgressLine', () => {
  const snapshot = { sent: 2500, errors: 3, total: 10_000, rate: 500, elapsedMs: 5000 };

  it('shows sent, rate, errors, ETA and a bar on a terminal with a count', () => {
    const line = formatProgressLine(snapshot, 120);
    expect(line).toContain('sent 2,500/10,000');
    expect(line).toContain('500/s');
    expect(line).toContain('errors 3');
    // 7,500 left at 500/s.
    expect(line).toContain('ETA 15s');
    expect(line).toMatch(/^\[#+-+\] {2}25%/);
    expect(line.length).toBeLessThanOrEqual(120);
  });

  it('has no bar or ETA without a count, and no bar off a terminal', () => {
    const endless = formatProgressLine({ ...snapshot, total: 0 }, 120);
    expect(endless).not.toContain('ETA');
    expect(endless).not.toContain('[');
    expect(formatProgressLine(snapshot, 0)).not.toContain('[');
    expect(formatProgressLine({ ...snapshot, rate: 0 }, 0)).toContain('ETA ?');
  });

  it('drops the bar rather than overflow a narrow terminal', () => {
    const line = formatProgressLine(snapshot, 40);
    expect(line).not.toContain('[');
  });
});

describe('formatDuration', () => {
  it('reads like a person would write it', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_600_000 * 2 + 5 * 60_000)).toBe('2h05m');
  });
});

describe('startProgress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws one line in place on a terminal and prints plain lines elsewhere', () => {
    vi.useFakeTimers(); // ticks on a fake clock: a busy machine cannot starve the intervals
    const stats = createStats();
    const tty: string[] = [];
    const plain: string[] = [];
    const a = startProgress({
      stream: { isTTY: true, columns: 100, write: (s) => tty.push(s) },
      stats,
      total: 100,
      ttyIntervalMs: 10,
    });
    const b = startProgress({
      stream: { write: (s) => plain.push(s) },
      stats,
      total: 0,
      plainIntervalMs: 10,
    });
    stats.sent = 40;
    vi.advanceTimersByTime(60);
    a.stop();
    b.stop();
    expect(tty.length).toBeGreaterThan(1);
    expect(tty.every((s) => s.startsWith('\r\x1b[2K') && !s.includes('\n'))).toBe(true);
    expect(tty.some((s) => s.includes('sent 40/100'))).toBe(true);
    expect(plain.length).toBeGreaterThan(1);
    expect(plain.every((s) => s.endsWith('\n') && !s.includes('\r'))).toBe(true);
  });
});
