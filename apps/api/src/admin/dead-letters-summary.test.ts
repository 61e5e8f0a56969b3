import { DEAD_LETTER_REASONS, PROBLEM_CODES } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { ledgerLetter } from '../test/fake-dead-letters.ts';
import { expectError } from '../test/route-app.ts';
import { deadLettersSummaryRoute, SUMMARY_REUSE_MS } from './dead-letters-summary.ts';

function setup() {
  let now = Date.parse('2026-12-03T12:00:00Z');
  const deps = adminDeps({ now: () => now });
  const { app } = adminRouteApp(deadLettersSummaryRoute(deps));
  return { app, fake: deps.deadLetters, advance: (ms: number) => (now += ms) };
}

describe('GET /dead-letters/summary', () => {
  it('counts by reason and problem code, every one present (0 included), and per hour', async () => {
    const { app, fake } = setup();
    fake.letters.push(
      ledgerLetter({ reason: 'not_json', problems: [{ path: '', code: 'syntax', message: 'x' }] }),
      ledgerLetter(),
      ledgerLetter({
        problems: [
          { path: 'a', code: 'too_small', message: 'x' },
          { path: 'b', code: 'too_small', message: 'x' },
          { path: 'c', code: 'required', message: 'x' },
        ],
      }),
    );
    const res = await app.request('/dead-letters/summary');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, Record<string, number>>;
    expect(body.total).toBe(3);
    expect(Object.keys(body.by_reason ?? {})).toEqual([...DEAD_LETTER_REASONS]);
    expect(Object.keys(body.by_problem ?? {})).toEqual([...PROBLEM_CODES]);
    expect(body.by_reason).toMatchObject({ invalid_order: 2, not_json: 1, empty: 0 });
    // a letter counts once per code, however many of its problems have it
    expect(body.by_problem).toMatchObject({ too_small: 2, required: 1, syntax: 1, format: 0 });
    expect(body.as_of).toBe('2026-12-03T12:00:00.000Z');
    expect(body.per_hour).toEqual([]);
  });

  it('passes the 48 hours and keeps what the ledger reports, a reason this version lacks too', async () => {
    const { app, fake } = setup();
    const perHour = Array.from({ length: 48 }, (_, i) => ({
      hour: new Date(Date.parse('2026-12-01T13:00:00Z') + i * 3_600_000).toISOString(),
      count: i,
    }));
    fake.summaryAnswer = { total: 5, byReason: { from_the_future: 5 }, byProblem: {}, perHour };
    const body = (await (await app.request('/dead-letters/summary')).json()) as {
      by_reason: Record<string, number>;
      per_hour: unknown;
    };
    expect(body.by_reason.from_the_future).toBe(5);
    expect(body.per_hour).toEqual(perHour);
  });

  it('reads once per interval however many ask, and again after a failure', async () => {
    const { app, fake, advance } = setup();
    const release = fake.hold();
    const pending = Array.from({ length: 20 }, () => app.request('/dead-letters/summary'));
    release();
    expect((await Promise.all(pending)).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(fake.calls.summary).toBe(1);
    advance(SUMMARY_REUSE_MS - 1);
    await app.request('/dead-letters/summary');
    expect(fake.calls.summary).toBe(1);
    advance(1);
    fake.fail(new Error('down'));
    await expectError(await app.request('/dead-letters/summary'), 503, 'unavailable');
    fake.fail(undefined);
    expect((await app.request('/dead-letters/summary')).status).toBe(200);
    expect(fake.calls.summary).toBe(3);
  });

  it('refuses parameters', async () => {
    const { app } = setup();
    const error = await expectError(
      await app.request('/dead-letters/summary?hours=72'),
      400,
      'bad_request',
    );
    expect(error.message).toBe('unknown parameter hours');
  });
});
