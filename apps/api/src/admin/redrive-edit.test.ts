import type { Problem } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { createFakeRedrive } from '../test/fake-redrive.ts';
import { redriveEditRoute } from './redrive-edit.ts';

function setup() {
  const redrive = createFakeRedrive();
  const { app } = adminRouteApp(redriveEditRoute(adminDeps({ redrive })));
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { redrive, post };
}

describe('POST /dead-letters/{id}/redrive', () => {
  it('passes the corrected value as JSON text with the options and the token name', async () => {
    const { redrive, post } = setup();
    const res = await post('/dead-letters/12/redrive', { value: { order_uid: 'a' }, again: true });
    expect(res.status).toBe(202);
    expect(redrive.calls).toEqual([
      { method: 'edit', args: [12, '{"order_uid":"a"}', { dryRun: false, again: true }, 'ops'] },
    ]);
  });

  it('answers an invalid value with 422 and its problems', async () => {
    const { redrive, post } = setup();
    const problems: Problem[] = [
      { path: 'payment.amount', code: 'type', message: 'expected number' },
    ];
    redrive.answer = { ok: false, error: 'invalid', reason: 'invalid_order', problems };
    const res = await post('/dead-letters/12/redrive', { value: { order_uid: 'a' } });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: { code: 'invalid', reason: 'invalid_order', problems },
    });
  });

  it('refuses a bad id, a missing value and unknown fields with 400, sending nothing', async () => {
    const { redrive, post } = setup();
    for (const [path, body] of [
      ['/dead-letters/0/redrive', { value: {} }],
      ['/dead-letters/x/redrive', { value: {} }],
      ['/dead-letters/12/redrive', {}],
      ['/dead-letters/12/redrive', { value: {}, ids: [1] }],
    ] as const) {
      expect((await post(path, body)).status, `${path} ${JSON.stringify(body)}`).toBe(400);
    }
    expect(redrive.calls).toEqual([]);
  });

  it('is 404 for a letter that does not exist', async () => {
    const { redrive, post } = setup();
    redrive.answer = { ok: false, error: 'not_found', ids: [12] };
    expect((await post('/dead-letters/12/redrive', { value: {} })).status).toBe(404);
  });
});
