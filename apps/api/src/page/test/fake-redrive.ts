import { decodeOrder } from '@orders/model';
import type {
  RedriveOptions,
  RedriveRun,
  RedriveSelection,
  RedriveService,
  StartOutcome,
} from '../../admin/redrive-deps.ts';

export type RedriveCall =
  | { call: 'start'; selection: RedriveSelection; options: RedriveOptions; by: string }
  | { call: 'edit'; letter: number; value: string; dryRun: boolean; again: boolean; by: string };

export type FakeRedrive = RedriveService & {
  calls: RedriveCall[];
  /** letters a redrive has sent: naming one again without `again` is a conflict (409) */
  redriven: Set<number>;
};

/**
 * A RedriveService for the page's browser tests: it records what the page asked, validates a
 * corrected value with the real model (so the 422 is the model's problems), counts every named
 * letter as passing and reports every run done at once.
 */
export function createFakeRedrive(options: { maxBytes: number }): FakeRedrive {
  const runs = new Map<number, RedriveRun>();
  let nextRun = 1;

  function record(
    kind: RedriveRun['kind'],
    matched: number,
    dryRun: boolean,
    by: string,
  ): StartOutcome {
    const run = nextRun++;
    const at = new Date(Date.UTC(2026, 11, 3, 12)).toISOString();
    runs.set(run, {
      run,
      kind,
      state: 'done',
      dry_run: dryRun,
      created_by: by,
      created_at: at,
      started_at: at,
      finished_at: at,
      request: { rate: 1000, again: false, include_redriven: false },
      matched,
      would_pass: matched,
      progress: { pending: 0, sent: dryRun ? 0 : matched, skipped: 0, failed: 0 },
      outcomes: { stored: dryRun ? 0 : matched, superseded: 0, dead_lettered: 0, awaiting: 0 },
      skipped_by_reason: {},
      events: [],
    });
    return { ok: true, run, matched, would_pass: matched, skipped: 0 };
  }

  const fake: FakeRedrive = {
    calls: [],
    redriven: new Set(),
    async start(selection, opts, by) {
      fake.calls.push({ call: 'start', selection, options: opts, by });
      const ids = selection.kind === 'ids' ? [...selection.ids] : [];
      const again = ids.filter((id) => fake.redriven.has(id));
      if (again.length > 0 && !opts.again) {
        return {
          ok: false,
          error: 'conflict',
          ids: again,
          message: 'the letter was redriven already (ask again to send it once more)',
        };
      }
      if (!opts.dryRun) for (const id of ids) fake.redriven.add(id);
      return record(selection.kind, selection.kind === 'ids' ? ids.length : 3, opts.dryRun, by);
    },
    async edit(letter, value, opts, by) {
      fake.calls.push({ call: 'edit', letter, value, dryRun: opts.dryRun, again: opts.again, by });
      const checked = decodeOrder(Buffer.from(value), { maxBytes: options.maxBytes });
      if (!checked.ok) {
        return { ok: false, error: 'invalid', reason: checked.reason, problems: checked.problems };
      }
      if (!opts.dryRun) fake.redriven.add(letter);
      return record('edit', 1, opts.dryRun, by);
    },
    async get(run) {
      return runs.get(run);
    },
    async resume(run) {
      return runs.get(run);
    },
    async cancel(run) {
      return runs.get(run);
    },
  };
  return fake;
}
