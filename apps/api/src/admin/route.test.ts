import { describe, expect, it } from 'vitest';
import { adminRouteApp } from '../test/admin-app.ts';
import { expectError } from '../test/route-app.ts';
import { type AdminRoute, adminDispatcher } from './route.ts';

const route = (method: AdminRoute['method'], path: string): AdminRoute => ({
  method,
  path,
  handler: (c, params) =>
    Response.json({ route: `${method} ${path}`, params, admin: c.get('admin') }),
});

describe('adminDispatcher', () => {
  const { app } = adminRouteApp(
    route('GET', '/dead-letters/:id'),
    route('GET', '/dead-letters/summary'),
    route('POST', '/dead-letters/:id/redrive'),
    route('POST', '/dead-letters/redrive'),
    route('GET', '/dead-letters'),
  );
  const call = async (path: string, method = 'GET') => {
    const res = await app.request(path, { method });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, res };
  };

  it('prefers a fixed segment to a parameter, whatever the order of registration', async () => {
    expect((await call('/dead-letters/summary')).body.route).toBe('GET /dead-letters/summary');
    expect((await call('/dead-letters/12')).body).toEqual({
      route: 'GET /dead-letters/:id',
      params: { id: '12' },
      admin: 'ops',
    });
    expect((await call('/dead-letters/redrive', 'POST')).body.route).toBe(
      'POST /dead-letters/redrive',
    );
    expect((await call('/dead-letters/5/redrive', 'POST')).body.params).toEqual({ id: '5' });
    expect((await call('/dead-letters')).body.route).toBe('GET /dead-letters');
    expect((await call('/dead-letters/a%20b')).body.params).toEqual({ id: 'a b' });
    expect((await call('/dead-letters/%E0%A4%A')).body.params).toEqual({ id: '%E0%A4%A' });
  });

  it("answers 405 with the path's own methods, 413 for a large body, 404 for no pattern", async () => {
    const summary = await call('/dead-letters/summary', 'POST');
    expect(summary.status).toBe(405);
    expect(summary.res.headers.get('allow')).toBe('GET, HEAD');
    const redrive = await call('/dead-letters/redrive', 'GET');
    // GET /dead-letters/:id does not take the fixed path's method over
    expect(redrive.status).toBe(405);
    expect(redrive.res.headers.get('allow')).toBe('POST');
    const large = await app.request('/dead-letters/summary', {
      method: 'PUT',
      headers: { 'content-length': '1000000' },
    });
    await expectError(large, 413, 'payload_too_large');
    for (const path of ['/dead-letters/', '/dead-letters/1/2/3', '/dead-letters//redrive']) {
      await expectError(await app.request(path), 404, 'not_found');
    }
  });

  it('refuses a route registered twice', () => {
    expect(() => adminDispatcher([route('GET', '/x'), route('GET', '/x')])).toThrow(/twice/);
  });
});
