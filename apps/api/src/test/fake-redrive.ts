// A RedriveService that records its calls and answers what the test sets (the redrive routes'
// tests; the real service is ingest's, tested against PostgreSQL and Kafka).
import type { RedriveRun, RedriveService, StartOutcome } from '../admin/redrive-deps.ts';

export type FakeRedrive = RedriveService & {
  calls: { method: string; args: unknown[] }[];
  answer: StartOutcome;
  runs: Map<number, RedriveRun>;
  fail: boolean;
};

export function sampleRun(run: number): RedriveRun {
  return {
    run,
    kind: 'ids',
    state: 'running',
    dry_run: false,
    created_by: 'ops',
    created_at: '2026-12-03T16:00:00.000Z',
    started_at: null,
    finished_at: null,
    request: { ids: [1], rate: 1000, again: false, include_redriven: false },
    matched: 1,
    would_pass: 1,
    progress: { pending: 1, sent: 0, skipped: 0, failed: 0 },
    outcomes: { stored: 0, superseded: 0, dead_lettered: 0, awaiting: 0 },
    skipped_by_reason: {},
    events: [{ at: '2026-12-03T16:00:00.000Z', event: 'created', by: 'ops' }],
  };
}

export function createFakeRedrive(): FakeRedrive {
  const fake: FakeRedrive = {
    calls: [],
    answer: { ok: true, run: 7, matched: 2, would_pass: 1, skipped: 1 },
    runs: new Map([[7, sampleRun(7)]]),
    fail: false,
    async start(...args) {
      fake.calls.push({ method: 'start', args });
      if (fake.fail) throw new Error('connection refused to 10.0.0.5 password=hunter2');
      return fake.answer;
    },
    async edit(...args) {
      fake.calls.push({ method: 'edit', args });
      if (fake.fail) throw new Error('connection refused');
      return fake.answer;
    },
    async get(run) {
      fake.calls.push({ method: 'get', args: [run] });
      if (fake.fail) throw new Error('connection refused');
      return fake.runs.get(run);
    },
    async resume(run, by) {
      fake.calls.push({ method: 'resume', args: [run, by] });
      return fake.runs.get(run);
    },
    async cancel(run, by) {
      fake.calls.push({ method: 'cancel', args: [run, by] });
      return fake.runs.get(run);
    },
  };
  return fake;
}
