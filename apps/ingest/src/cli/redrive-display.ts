// What the redrive CLI prints: a run's progress as a bar (TTY) or a plain line (logs, pipes), and
// its final counts. Pure: text in, text out.
import type { RedriveRun } from '@orders/api';

const BAR_WIDTH = 30;

export type Rate = { lettersPerSecond: number | undefined };

/** Letters the run has dealt with (sent, skipped or failed) and the total it selected. */
export function handled(run: RedriveRun): { done: number; total: number } {
  const { sent, skipped, failed, pending } = run.progress;
  const done = sent + skipped + failed;
  return { done, total: Math.max(run.matched, done + pending) };
}

const count = (n: number) => n.toLocaleString('en-US');

function rateText(rate: number | undefined): string {
  return rate === undefined ? '' : `, ${count(Math.round(rate))}/s`;
}

/** One line of a TTY bar (redrawn in place by the caller). */
export function progressBar(run: RedriveRun, rate: number | undefined): string {
  const { done, total } = handled(run);
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  const { sent, skipped, failed } = run.progress;
  const pct = `${Math.floor(share * 100)}`.padStart(3);
  return `run ${run.run} [${bar}] ${pct}% ${count(done)}/${count(total)} sent ${count(sent)} skipped ${count(skipped)} failed ${count(failed)}${rateText(rate)}`;
}

/** One plain progress line, for output that is not a terminal. */
export function progressLine(run: RedriveRun, rate: number | undefined): string {
  const { done, total } = handled(run);
  const { sent, skipped, failed } = run.progress;
  return `run ${run.run} ${run.state}: ${count(done)}/${count(total)} letters (sent ${count(sent)}, skipped ${count(skipped)}, failed ${count(failed)})${rateText(rate)}`;
}

function byReason(run: RedriveRun): string {
  const parts = Object.entries(run.skipped_by_reason)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([reason, n]) => `${reason} ${count(n ?? 0)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The final counts, several lines. */
export function summary(run: RedriveRun, elapsedMs: number): string {
  const { sent, skipped, failed } = run.progress;
  const o = run.outcomes;
  const title = run.dry_run ? 'dry run' : run.state;
  const lines = [
    `run ${run.run} ${title} in ${(elapsedMs / 1000).toFixed(1)} s (by ${run.created_by})`,
    `  matched ${count(run.matched)}, would pass ${count(run.would_pass)}`,
  ];
  if (run.dry_run) {
    lines.push(`  would skip ${count(skipped)}${byReason(run)}; nothing was sent`);
  } else {
    lines.push(
      `  sent ${count(sent)}, skipped ${count(skipped)}${byReason(run)}, failed ${count(failed)}`,
    );
    lines.push(
      `  outcomes: stored ${count(o.stored)}, superseded ${count(o.superseded)}, dead-lettered again ${count(o.dead_lettered)}${o.awaiting > 0 ? `, awaiting ${count(o.awaiting)}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
