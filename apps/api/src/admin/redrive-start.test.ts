import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { createFakeRedrive } from '../test/fake-redrive.ts';
import { redriveStartRoute } from './redrive-start.ts';

function setup() {
  const redrive = createFakeRedrive();
  const { app, logged } = adminRouteApp(redriveStartRoute(adminDeps({ redrive })));
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    app.request('/dead-letters/redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { redrive, post, logged };
}

describe('POST /dead-letters/redrive', () => {
  it('starts a run by ids with the defaults and the token name: 202 { run, matched, would_pass }', async () => {
    const { redrive, post } = setup();
    const res = await post({ ids: [3, 1] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ run: 7, matched: 2, would_pass: 1, skipped: 1 });
    expect(redrive.calls).toEqual([
      {
        method: 'start',
        args: [
          { kind: 'ids', ids: [3, 1] },
          { dryRun: false, rate: 1000, again: false, includeRedriven: false },
          'ops',
        ],
      },
    ]);
  });

  it('reads a filter with the list rules, and the options', async () => {
    const { redrive, post } = setup();
    const res = await post({
      filter: { reason: 'invalid_order', partition: 2, since: '2026-12-01' },
      dry_run: true,
      rate: 50,
      again: true,
      include_redriven: true,
    });
    expect(res.status).toBe(202);
    expect(redrive.calls[0]?.args.slice(0, 2)).toEqual([
      {
        kind: 'filter',
        filter: { reason: 'invalid_order', partition: 2, since: '2026-12-01T00:00:00.000000Z' },
      },
      { dryRun: true, rate: 50, again: true, includeRedriven: true },
    ]);
  });

  it.each([
    [{}, 'either ids'],
    [{ ids: [1], filter: {} }, 'either ids'],
    [{ ids: [] }, 'ids must'],
    [{ ids: [0] }, 'ids must'],
    [{ ids: ['1'] }, 'ids must'],
    [{ ids: [1.5] }, 'ids must'],
    [{ filter: { reason: 'nope' } }, 'reason must'],
    [{ filter: { color: 'red' } }, 'filter takes'],
    [{ filter: [] }, 'filter must'],
    [{ ids: [1], dryrun: true }, 'unknown field'],
    [{ ids: [1], dry_run: 'yes' }, 'dry_run must'],
    [{ ids: [1], rate: 0 }, 'rate must'],
    [{ ids: [1], rate: 20_001 }, 'rate must'],
    [[1], 'JSON object'],
    ['{"ids":', 'not valid JSON'],
  ])('refuses %j with a 400 and sends nothing', async (body, message) => {
    const { redrive, post } = setup();
    const res = await post(body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('bad_request');
    expect(answer.error.message).toContain(message);
    expect(redrive.calls).toEqual([]);
  });

  it('needs a JSON content type, and refuses a body over the limit unread (413)', async () => {
    const { redrive, post } = setup();
    expect((await post({ ids: [1] }, { 'content-type': 'text/plain' })).status).toBe(400);
    const big = await post({ ids: [1], pad: 'x'.repeat(3 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(redrive.calls).toEqual([]);
  });

  it('answers the refusals: 404 missing ids, 409 already redriven, 422 too many', async () => {
    const { redrive, post } = setup();
    redrive.answer = { ok: false, error: 'not_found', ids: [9] };
    let res = await post({ ids: [9] });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'not_found', ids: [9] } });
    redrive.answer = { ok: false, error: 'conflict', ids: [1], message: 'redriven already' };
    res = await post({ ids: [1] });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: { code: 'already_redriven', message: 'redriven already', ids: [1] },
    });
    redrive.answer = { ok: false, error: 'too_many', matched: 100_001 };
    res = await post({ filter: {} });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: { code: 'too_many' } });
  });

  it('a failing service is a 503 whose body says nothing of the cause', async () => {
    const { redrive, post, logged } = setup();
    redrive.fail = true;
    const res = await post({ ids: [1] });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.0.0.5');
    expect(logged).toHaveLength(1);
  });

  it('is a 404 where the server has no redrive service', async () => {
    const { app } = adminRouteApp(redriveStartRoute(adminDeps()));
    const res = await app.request('/dead-letters/redrive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"ids":[1]}',
    });
    expect(res.status).toBe(404);
  });
});
