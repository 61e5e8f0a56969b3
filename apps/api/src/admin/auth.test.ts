import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adminApiApp, adminDeps, bearer, TEST_TOKENS } from '../test/admin-app.ts';
import { ledgerLetter } from '../test/fake-dead-letters.ts';
import { expectError } from '../test/route-app.ts';
import { tokenName } from './auth.ts';

const digests = TEST_TOKENS.map((t) => ({
  name: t.name,
  digest: createHash('sha256').update(t.secret).digest(),
}));
const [ops, ci] = TEST_TOKENS;

describe('tokenName', () => {
  it('names the token a well-formed Bearer header carries, whichever of the tokens it is', () => {
    expect(tokenName(`Bearer ${ops.secret}`, digests)).toBe('ops');
    expect(tokenName(`Bearer ${ci.secret}`, digests)).toBe('ci');
    // the scheme is case-insensitive (RFC 9110), spaces around the token are tolerated
    expect(tokenName(`bearer   ${ci.secret} `, digests)).toBe('ci');
    expect(tokenName(`BEARER ${ops.secret}`, digests)).toBe('ops');
  });

  it('refuses anything else: no header, other schemes, near misses of a secret', () => {
    const sameLength = `${ops.secret.slice(0, -1)}${ops.secret.endsWith('f') ? 'e' : 'f'}`;
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      ops.secret,
      `Basic ${ops.secret}`,
      `Token ${ops.secret}`,
      `Bearer ${sameLength}`,
      `Bearer ${ops.secret.slice(0, -1)}`,
      `Bearer ${ops.secret}x`,
      `Bearer ${ops.secret.toUpperCase()}`,
      `Bearer ${ops.secret} ${ops.secret}`,
      `Bearer ${ops.secret},${ci.secret}`,
      `Bearer ops=${ops.secret}`,
      `Bearer\t${ops.secret}`,
      `Bearer ${ops.secret}\u0000`,
    ]) {
      expect(tokenName(header, digests), String(header)).toBeUndefined();
    }
    expect(tokenName(`Bearer ${ops.secret}`, [])).toBeUndefined();
  });
});

describe('the admin API behind adminAuth', () => {
  const paths = ['/dead-letters', '/dead-letters/summary', '/dead-letters/1', '/dead-letters/x/y'];

  it('answers 401 with one fixed body and the Bearer challenge, whatever was wrong', async () => {
    const { app, logged } = adminApiApp(adminDeps({ deadLetters: undefined as never }));
    const sameLength = `${ops.secret.slice(0, -1)}0`;
    const bodies = new Set<string>();
    for (const headers of [
      {},
      { authorization: `Basic ${Buffer.from(`ops:${ops.secret}`).toString('base64')}` },
      bearer('wrong-secret-0123456789'),
      bearer(sameLength),
      bearer(`${ops.secret} extra`),
      { authorization: `Bearer ${'a'.repeat(8_000)}` },
    ]) {
      for (const path of paths) {
        const res = await app.request(path, { headers });
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        const body = JSON.stringify(await expectError(res.clone(), 401, 'unauthorized'));
        bodies.add(body);
      }
    }
    // no detail of why: the same answer for a missing, a malformed and a wrong token, on any path
    expect([...bodies]).toEqual([
      JSON.stringify({ code: 'unauthorized', message: 'authentication required' }),
    ]);
    expect(logged).toEqual([]);
  });

  it('serves with either configured token, HEAD included', async () => {
    const deps = adminDeps();
    deps.deadLetters.letters.push(ledgerLetter({ id: 7 }));
    const { app } = adminApiApp(deps);
    for (const token of TEST_TOKENS) {
      const res = await app.request('/dead-letters/7', { headers: bearer(token.secret) });
      expect(res.status, token.name).toBe(200);
      expect(await res.json()).toMatchObject({ id: 7 });
    }
    const head = await app.request('/dead-letters', { method: 'HEAD', headers: bearer() });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('is off without tokens: every admin path and method is the plain 404', async () => {
    const plain = await adminApiApp(undefined).app.request('/no/such/route');
    const expected = await plain.json();
    for (const admin of [undefined, adminDeps({ tokens: [] })]) {
      const { app } = adminApiApp(admin);
      for (const path of paths) {
        for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
          const res = await app.request(path, { method, headers: bearer() });
          expect(res.status, `${method} ${path}`).toBe(404);
          expect(res.headers.get('www-authenticate')).toBeNull();
          if (method !== 'HEAD') expect(await res.json()).toEqual(expected);
        }
      }
    }
  });

  it('never logs a token: not on a 401, not with the cause of a failed ledger read', async () => {
    const deps = adminDeps();
    deps.deadLetters.fail(new Error('connection refused'));
    const { app, logged } = adminApiApp(deps);
    await app.request('/dead-letters', { headers: bearer(`${ci.secret}0`) });
    const res = await app.request('/dead-letters', { headers: bearer(ops.secret) });
    await expectError(res, 503, 'unavailable');
    expect(logged).toHaveLength(1);
    const text = JSON.stringify(logged);
    for (const token of TEST_TOKENS) expect(text).not.toContain(token.secret);
    expect(text).not.toMatch(/authorization|bearer/i);
  });

  it('serves no dead letter from the public routes', async () => {
    const deps = adminDeps();
    deps.deadLetters.letters.push(ledgerLetter({ id: 3, uid: 'order-3' }));
    const { app } = adminApiApp(deps);
    for (const path of ['/orders/order-3', '/orders?uid=order-3', '/orders?id=3']) {
      const res = await app.request(path, { headers: bearer() });
      await expectError(res, 404, 'not_found');
    }
    const recent = await app.request('/orders/recent', { headers: bearer() });
    expect(await recent.json()).toEqual({ orders: [] });
    // the ledger is read by the admin routes only
    expect(deps.deadLetters.calls).toEqual({ list: [], get: [], summary: 0 });
  });
});
