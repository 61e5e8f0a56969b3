import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { ledgerLetter } from '../test/fake-dead-letters.ts';
import { expectError } from '../test/route-app.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { deadLettersListRoute, PAGE_VALUE_BYTES } from './dead-letters-list.ts';
import type { DeadLetterRecord } from './deps.ts';
import type { DeadLetterJson } from './letter-json.ts';

type Page = { items: DeadLetterJson[]; next: string | null };

function setup(letters: DeadLetterRecord[] = []) {
  const deps = adminDeps();
  deps.deadLetters.letters.push(...letters);
  const { app, logged } = adminRouteApp(deadLettersListRoute(deps));
  return { app, logged, fake: deps.deadLetters };
}

/** 25 letters, ids 1–25; 10–14 share one stored_at (one batch). */
function ledger(): DeadLetterRecord[] {
  return Array.from({ length: 25 }, (_, i) => {
    const id = i + 1;
    const second = id >= 10 && id <= 14 ? 10 : id;
    return ledgerLetter({
      id,
      reason: id % 5 === 0 ? 'not_json' : 'invalid_order',
      source: { topic: 'orders', partition: id % 3, offset: String(id), timestamp: null },
      storedAt: `2026-12-01T10:00:${String(second).padStart(2, '0')}.000001Z`,
    });
  });
}

describe('GET /dead-letters', () => {
  it('pages newest first by (stored_at, id), every letter once, across equal stored_at', async () => {
    const { app, fake } = setup(ledger());
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=4' : `?limit=4&cursor=${cursor}`;
      const res = await app.request(`/dead-letters${query}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const page = (await res.json()) as Page;
      seen.push(...page.items.map((l) => l.id));
      cursor = page.next;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(pages).toBe(7);
    // the reader got the cursor's exact position, microseconds included
    expect(fake.calls.list[1]?.after).toEqual({ storedAt: '2026-12-01T10:00:22.000001Z', id: 22 });
  });

  it('passes every filter to the reader, parsed, and defaults limit to 20', async () => {
    const { app, fake } = setup();
    const res = await app.request(
      '/dead-letters?reason=invalid_order&problem=too_small&uid=u%201&partition=2' +
        '&since=2026-12-01&until=2026-12-02T12:00:00.5%2B01:00',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [], next: null });
    expect(fake.calls.list[0]).toEqual({
      filter: {
        reason: 'invalid_order',
        problem: 'too_small',
        uid: 'u 1',
        partition: 2,
        since: '2026-12-01T00:00:00.000000Z',
        until: '2026-12-02T11:00:00.500000Z',
      },
      limit: 20,
      maxValueBytes: PAGE_VALUE_BYTES,
    });
    // an unencoded `+` of an offset arrives as a space: read as the `+` it was
    await app.request('/dead-letters?since=2026-12-01T10:00:00+02:00');
    expect(fake.calls.list[1]?.filter.since).toBe('2026-12-01T08:00:00.000000Z');
  });

  it('filters the letters it lists', async () => {
    const { app } = setup(ledger());
    const ids = async (query: string) =>
      ((await (await app.request(`/dead-letters${query}`)).json()) as Page).items.map((l) => l.id);
    expect(await ids('?reason=not_json')).toEqual([25, 20, 15, 10, 5]);
    expect(await ids('?partition=0&reason=not_json')).toEqual([15]);
    expect(await ids('?uid=uid-4')).toEqual([4]);
    expect(await ids('?since=2026-12-01T10:00:20Z&until=2026-12-01T10:00:23Z')).toEqual([
      22, 21, 20,
    ]);
  });

  it('refuses each bad parameter with a 400 naming it, never echoing the value', async () => {
    const { app, fake } = setup(ledger());
    const cursor = encodeCursor({ storedAt: '2026-12-01T10:00:10.000001Z', id: 12 });
    const garbled = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}A`;
    const forged = Buffer.from('v1.1.1; DROP TABLE dead_letters').toString('base64url');
    const cases: [string, RegExp][] = [
      ['reason=nope', /^reason must be one of /],
      ['reason=', /^reason must be one of /],
      ['problem=%3Cimg%20src%3Dx%3E', /^problem must be one of /],
      [`uid=${'u'.repeat(10_000)}`, /^uid must be 1 to 128 characters/],
      ['uid=a%00b', /^uid must be/],
      ['uid=', /^uid must be/],
      ['partition=-1', /^partition must be an integer/],
      ['partition=1.5', /^partition must be an integer/],
      ['partition=2147483648', /^partition must be an integer/],
      ['since=yesterday', /^since must be an ISO 8601 date/],
      ['since=2026-02-30', /^since must be an ISO 8601 date/],
      ['until=2026-12-01T10:00:00', /^until must be an ISO 8601 date/], // no zone
      ['since=2026-12-02&until=2026-12-01', /^since must not be after until$/],
      ['limit=0', /^limit must be an integer from 1 to 100$/],
      ['limit=101', /^limit must be an integer from 1 to 100$/],
      ['limit=1e2', /^limit must be an integer from 1 to 100$/],
      ['limit=10&limit=20', /^limit given more than once$/],
      ['cursor=', /^cursor is not one this API gave/],
      [`cursor=${garbled}`, /^cursor is not one this API gave/],
      [`cursor=${forged}`, /^cursor is not one this API gave/],
      [`cursor=${'A'.repeat(10_000)}`, /^cursor is not one this API gave/],
      ['cursor=%00', /^cursor is not one this API gave/],
      ['limt=5', /^unknown parameter limt$/],
      ['%00=1', /^unknown parameter$/],
      [`${'x'.repeat(10_000)}=1`, /^unknown parameter$/],
      ['uid=%ZZ', /./],
    ];
    for (const [query, message] of cases) {
      const res = await app.request(`/dead-letters?${query}`);
      const error = await expectError(res, 400, 'bad_request');
      expect(error.message, query).toMatch(message);
      expect(error.message.length, query).toBeLessThan(300);
      expect(error.message, query).not.toMatch(/SELECT|DROP|<img/i);
      expect(error.message, query).not.toContain('\u0000');
    }
    expect(fake.calls.list).toEqual([]);
  });

  it('stops a page of large values early, always holding one letter, with next', async () => {
    const big = Buffer.alloc(PAGE_VALUE_BYTES / 2 + 1, 0x61);
    const letters = [1, 2, 3].map((id) => ledgerLetter({ id, value: big, size: big.length }));
    const { app } = setup(letters);
    const first = (await (await app.request('/dead-letters?limit=100')).json()) as Page;
    expect(first.items.map((l) => l.id)).toEqual([3, 2]);
    expect(first.next).not.toBeNull();
    expect(decodeCursor(first.next ?? '')).toMatchObject({ id: 2 });
  });

  it('escapes hostile values and shows bytes that are not UTF-8 as base64', async () => {
    const hostile =
      '{"order_uid":"<img src=x onerror=alert(1)>","note":"\u202Eevil\u2066 & \u2028"}';
    const notUtf8 = Buffer.from([0xff, 0xfe, 0x3c, 0x73, 0x63, 0x72, 0x69, 0x70, 0x74, 0x3e]);
    const { app } = setup([
      ledgerLetter({ id: 1, value: Buffer.from(hostile), uid: '<img src=x onerror=alert(1)>' }),
      ledgerLetter({ id: 2, value: notUtf8, key: Buffer.from([0xc3, 0x28]), size: 10 }),
      ledgerLetter({ id: 3, value: null, key: null, size: null, reason: 'empty' }),
    ]);
    const res = await app.request('/dead-letters');
    const text = await res.text();
    expect(text).not.toMatch(/[<>&\u202e\u2066\u2028]/);
    expect(text).toContain('\\u003cimg src=x onerror=alert(1)\\u003e');
    expect(text).toContain('\\u202eevil\\u2066 \\u0026 \\u2028');
    const [tombstone, bytes, markup] = (JSON.parse(text) as Page).items;
    expect(markup?.value).toBe(hostile);
    expect(markup?.uid).toBe('<img src=x onerror=alert(1)>');
    expect(markup).not.toHaveProperty('value_base64');
    expect(bytes?.value).toBeNull();
    expect(bytes?.value_base64).toBe(notUtf8.toString('base64'));
    expect(bytes?.key).toEqual({ base64: 'wyg=' });
    expect(tombstone).toMatchObject({ value: null, key: null, size: null });
    expect(tombstone).not.toHaveProperty('value_base64');
  });

  it('answers 503 when the ledger cannot be read, logging the cause but not sending it', async () => {
    const { app, fake, logged } = setup();
    fake.fail(new Error('ECONNREFUSED 127.0.0.1:5432 SELECT * FROM dead_letters'));
    const res = await app.request('/dead-letters');
    expect(res.headers.get('retry-after')).toBe('1');
    const error = await expectError(res, 503, 'unavailable');
    expect(error.message).toBe('the dead-letter ledger could not be read');
    expect(JSON.stringify(logged)).toContain('ECONNREFUSED');
  });

  it('answers 405 with Allow for another method', async () => {
    const { app } = setup();
    const res = await app.request('/dead-letters', { method: 'DELETE' });
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    await expectError(res, 405, 'method_not_allowed');
  });
});
