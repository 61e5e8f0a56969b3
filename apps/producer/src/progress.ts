import type { RunStats } from './stats.ts';

export type ProgressStream = {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
};

export type ProgressOptions = {
  stream: ProgressStream;
  stats: RunStats;
  /** Messages to send; 0 = until stopped (no bar, no ETA). */
  total: number;
  now?: () => number;
  /** Redraw interval on a terminal; default 250 ms. */
  ttyIntervalMs?: number;
  /** Interval of plain lines off a terminal; default 5 s. */
  plainIntervalMs?: number;
};

export type Progress = { stop(): void };

export type ProgressSnapshot = {
  sent: number;
  errors: number;
  total: number;
  /** Messages per second over the last few seconds. */
  rate: number;
  elapsedMs: number;
};

/** Starts drawing; on a terminal a live line redrawn in place, otherwise periodic plain lines. */
export function startProgress(options: ProgressOptions): Progress {
  const { stream, stats, total } = options;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const started = now();
  // Rate over a sliding window of samples, so a stall shows up within seconds.
  const samples: Array<[number, number]> = [[started, 0]];
  const snapshot = (): ProgressSnapshot => {
    const t = now();
    samples.push([t, stats.sent]);
    while (samples.length > 2 && t - (samples[1]?.[0] ?? t) >= 3000) samples.shift();
    const [t0, s0] = samples[0] ?? [started, 0];
    const rate = t > t0 ? ((stats.sent - s0) * 1000) / (t - t0) : 0;
    return { sent: stats.sent, errors: stats.errors, total, rate, elapsedMs: t - started };
  };
  const draw = (): void => {
    const line = formatProgressLine(snapshot(), tty ? (stream.columns ?? 80) : 0);
    stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
  const timer = setInterval(
    draw,
    tty ? (options.ttyIntervalMs ?? 250) : (options.plainIntervalMs ?? 5000),
  );
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

/**
 * One progress line. `width` > 0 draws a bar (when the total is known) fitting that many
 * columns; 0 means a plain log line.
 */
export function formatProgressLine(s: ProgressSnapshot, width: number): string {
  const parts = [
    `sent ${formatCount(s.sent)}${s.total > 0 ? `/${formatCount(s.total)}` : ''}`,
    `${formatCount(Math.round(s.rate))}/s`,
    `errors ${formatCount(s.errors)}`,
  ];
  if (s.total > 0) {
    const remaining = Math.max(0, s.total - s.sent);
    parts.push(`ETA ${s.rate > 0 ? formatDuration((remaining / s.rate) * 1000) : '?'}`);
  }
  parts.push(`elapsed ${formatDuration(s.elapsedMs)}`);
  const text = parts.join('  ');
  if (width <= 0 || s.total <= 0) return text;
  const fraction = Math.min(1, s.sent / s.total);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const barWidth = Math.min(30, width - text.length - percent.length - 5);
  if (barWidth < 5) return text;
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${percent}  ${text}`;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
