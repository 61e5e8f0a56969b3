import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT, runRedrive } from './redrive.ts';
import {
  FAKE_TOKEN,
  type FakeAdmin,
  ok,
  refused,
  runSnapshot,
  startFakeAdmin,
} from './test/fake-admin.ts';

let fake: FakeAdmin;
beforeEach(async () => {
  fake = await startFakeAdmin();
});
afterEach(() => fake.close());

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { isTTY, write: (t: string) => chunks.push(t), text: () => chunks.join('') };
}

async function cli(
  argv: string[],
  opts: { tty?: boolean; signal?: AbortSignal; token?: string } = {},
) {
  const stdout = sink();
  const stderr = sink(opts.tty);
  const code = await runRedrive(['--url', fake.url, ...argv], {
    env: { ORDERS_ADMIN_TOKEN: opts.token ?? FAKE_TOKEN },
    stdout,
    stderr,
    pollMs: 5,
    lineMs: 0,
    unavailableMs: 300,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, out: stdout.text(), err: stderr.text() };
}

const progress = (sent: number, skipped: number, failed: number, pending: number) => ({
  pending,
  sent,
  skipped,
  failed,
});

describe('redrive CLI', () => {
  it('starts a run by filter, shows plain progress lines and the final counts: exit 0', async () => {
    fake.reads = [
      ok(runSnapshot({ progress: progress(40, 5, 0, 55) })),
      ok(
        runSnapshot({
          state: 'done',
          progress: progress(90, 10, 0, 0),
          skipped_by_reason: { invalid: 7, truncated: 3 },
          outcomes: { stored: 85, superseded: 4, dead_lettered: 1, awaiting: 0 },
        }),
      ),
    ];
    const r = await cli([
      '--reason',
      'too_large',
      '--since',
      '2026-12-01',
      '--until',
      '2026-12-03T12:00:00Z',
      '--rate',
      '5000',
    ]);
    expect(r.code).toBe(EXIT.done);
    const start = fake.requests.find((q) => q.method === 'POST');
    expect(start?.path).toBe('/dead-letters/redrive');
    expect(start?.body).toEqual({
      filter: { reason: 'too_large', since: '2026-12-01', until: '2026-12-03T12:00:00Z' },
      rate: 5000,
    });
    expect(fake.requests.every((q) => q.authorization === `Bearer ${FAKE_TOKEN}`)).toBe(true);
    expect(r.err).toContain('run 7: 100 letters matched, 90 pass now');
    expect(r.err).toContain('run 7 running: 45/100 letters (sent 40, skipped 5, failed 0)');
    expect(r.err).not.toContain('\r');
    expect(r.out).toContain('sent 90, skipped 10 (invalid 7, truncated 3), failed 0');
    expect(r.out).toContain('outcomes: stored 85, superseded 4, dead-lettered again 1');
    expect(`${r.out}${r.err}`).not.toContain(FAKE_TOKEN);
  });

  it('sends ids, dry run, again and include-redriven as asked', async () => {
    fake.reads = [ok(runSnapshot({ state: 'done', dry_run: true }))];
    const r = await cli(['--ids', '3,1,3', '--dry-run', '--again', '--include-redriven']);
    expect(r.code).toBe(EXIT.done);
    expect(fake.requests[0]?.body).toEqual({
      ids: [3, 1],
      dry_run: true,
      again: true,
      include_redriven: true,
    });
    expect(r.out).toContain('nothing was sent');
  });

  it('draws a bar in place on a terminal', async () => {
    fake.reads = [
      ok(runSnapshot({ progress: progress(50, 0, 0, 50) })),
      ok(runSnapshot({ state: 'done', progress: progress(100, 0, 0, 0) })),
    ];
    const r = await cli(['--all'], { tty: true });
    expect(r.code).toBe(EXIT.done);
    expect(r.err).toContain(`\r\x1b[Krun 7 [${'#'.repeat(15)}${'-'.repeat(15)}]  50%`);
    expect(r.err).toContain(`[${'#'.repeat(30)}] 100% 100/100`);
  });

  it('exits 1 when letters failed, and when the run was cancelled', async () => {
    fake.reads = [ok(runSnapshot({ state: 'done', progress: progress(97, 0, 3, 0) }))];
    const failed = await cli(['--all']);
    expect(failed.code).toBe(EXIT.failed);
    expect(failed.out).toContain('failed 3');
    fake.reads = [ok(runSnapshot({ state: 'cancelled', progress: progress(10, 0, 0, 90) }))];
    expect((await cli(['--all'])).code).toBe(EXIT.failed);
  });

  it('waits for ingest to record the outcomes once the letters are sent', async () => {
    const sent = { state: 'done' as const, progress: progress(100, 0, 0, 0) };
    fake.reads = [
      ok(
        runSnapshot({
          ...sent,
          outcomes: { stored: 60, superseded: 0, dead_lettered: 0, awaiting: 40 },
        }),
      ),
      ok(
        runSnapshot({
          ...sent,
          outcomes: { stored: 100, superseded: 0, dead_lettered: 0, awaiting: 0 },
        }),
      ),
    ];
    const r = await cli(['--all']);
    expect(r.code).toBe(EXIT.done);
    expect(r.out).toContain('stored 100');
    expect(r.out).not.toContain('awaiting');
  });

  it('--json prints the final run as JSON on stdout', async () => {
    const final = runSnapshot({ state: 'done', progress: progress(100, 0, 0, 0) });
    fake.reads = [ok(final)];
    const r = await cli(['--all', '--json']);
    expect(JSON.parse(r.out)).toEqual(final);
  });

  it('--run resumes a run left running, then watches it', async () => {
    fake.reads = [
      ok(runSnapshot({ progress: progress(30, 0, 0, 70) })),
      ok(runSnapshot({ state: 'done', progress: progress(100, 0, 0, 0) })),
    ];
    const r = await cli(['--run', '7']);
    expect(r.code).toBe(EXIT.done);
    expect(fake.requests.map((q) => `${q.method} ${q.path}`).slice(0, 3)).toEqual([
      'GET /dead-letters/redrives/7',
      'POST /dead-letters/redrives/7/resume',
      'GET /dead-letters/redrives/7',
    ]);
    expect(r.err).toContain('run 7 resumed');
  });

  it('--run of a done run prints its counts without resuming it', async () => {
    fake.reads = [ok(runSnapshot({ state: 'done', progress: progress(100, 0, 0, 0) }))];
    const r = await cli(['--run', '7']);
    expect(r.code).toBe(EXIT.done);
    expect(fake.requests.some((q) => q.path.endsWith('/resume'))).toBe(false);
    expect(r.out).toContain('sent 100');
  });

  it('exits 2 on bad flags, every one reported, before any request', async () => {
    const r = await cli([
      '--reason',
      'nope',
      '--rate',
      '0',
      '--ids',
      '1,x',
      '--since',
      '2026-02-30',
      '--token',
      'hunter2-secret',
      '--frob',
    ]);
    expect(r.code).toBe(EXIT.usage);
    for (const flag of ['--reason', '--rate', '--ids', '--since', '--token', '--frob']) {
      expect(r.err).toContain(flag);
    }
    expect(r.err).not.toContain('hunter2-secret');
    expect(fake.requests).toEqual([]);
  });

  it('exits 2 without a token in the environment', async () => {
    const r = await cli(['--all'], { token: '' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('ORDERS_ADMIN_TOKEN is not set');
    expect(fake.requests).toEqual([]);
  });

  it.each([
    [401, 'unauthorized', 'a valid bearer token is required'],
    [404, 'not_found', 'no such letter: 5'],
    [409, 'conflict', 'letters already redriven: 5 (again sends them)'],
    [422, 'invalid', 'the selection holds more than 100000 letters'],
  ])('exits 3 when the API refuses with %i, showing its message', async (status, code, message) => {
    fake.start = refused(status, code, message);
    const r = await cli(['--ids', '5']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain(`the API refused (${status} ${code}): ${message}`);
  });

  it('names the letters a 409 lists', async () => {
    fake.start = {
      status: 409,
      body: {
        error: { code: 'already_redriven', message: '2 letters were redriven', ids: [5, 6] },
      },
    };
    const r = await cli(['--ids', '5,6']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain('letters 5, 6');
  });

  it('exits 3 on a wrong token (the API answers 401)', async () => {
    const r = await cli(['--all'], { token: 'a-wrong-token-of-some-length' });
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain('401 unauthorized');
    expect(r.err).not.toContain('a-wrong-token');
  });

  it('exits 3 when --run names a run the API does not know', async () => {
    fake.reads = [refused(404, 'not_found', 'no such run')];
    const r = await cli(['--run', '99']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.err).toContain('no such run');
  });

  it('exits 4 when the API is unreachable or failing', async () => {
    fake.start = { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
    const failing = await cli(['--all']);
    expect(failing.code).toBe(EXIT.unavailable);
    expect(failing.err).toContain('HTTP 500');
    await fake.close();
    const down = await cli(['--all']);
    expect(down.code).toBe(EXIT.unavailable);
    expect(down.err).toContain('the API is unavailable');
  });

  it('keeps watching through a short outage (ingest restarting), and gives up after a long one', async () => {
    const unavailable = {
      status: 503,
      body: { error: { code: 'unavailable', message: 'starting' } },
    };
    fake.reads = [
      unavailable,
      unavailable,
      ok(runSnapshot({ state: 'done', progress: progress(100, 0, 0, 0) })),
    ];
    const short = await cli(['--all']);
    expect(short.code).toBe(EXIT.done);
    expect(short.err).toContain('retrying');
    expect(short.err).toContain('answers again');
    fake.reads = [unavailable];
    const long = await cli(['--all']);
    expect(long.code).toBe(EXIT.unavailable);
    expect(long.err).toContain('resume or watch it with --run 7');
  });

  it('stops watching on an abort (Ctrl-C) and says how to pick the run up: exit 130', async () => {
    fake.reads = [ok(runSnapshot())];
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const r = await cli(['--all'], { signal: stop.signal });
    expect(r.code).toBe(EXIT.interrupted);
    expect(r.err).toContain('--run 7');
  });

  it('never shows control characters from the API', async () => {
    fake.start = refused(409, 'conflict', 'bad\x1b[31mred\x07');
    const r = await cli(['--all']);
    expect(r.err).not.toContain('\x1b');
    expect(r.err).toContain('bad [31mred');
  });
});
