import { describe, expect, it } from 'vitest';
import { keyFromSearch, orderRequestPath, pageSearch, parseLookup } from './lookup.js';

describe('parseLookup', () => {
  it('reads digits as the numeric id and trims', () => {
    expect(parseLookup('  42 ')).toEqual({ ok: true, key: { kind: 'id', value: '42' } });
  });

  it('reads anything else as an order_uid', () => {
    expect(parseLookup('b563feb7b2b84b6test')).toEqual({
      ok: true,
      key: { kind: 'uid', value: 'b563feb7b2b84b6test' },
    });
    expect(parseLookup('-1')).toEqual({ ok: true, key: { kind: 'uid', value: '-1' } });
    expect(parseLookup('12a')).toEqual({ ok: true, key: { kind: 'uid', value: '12a' } });
  });

  it('rejects an empty or blank box without asking the server', () => {
    expect(parseLookup('')).toMatchObject({ ok: false });
    expect(parseLookup(' \t ')).toMatchObject({ ok: false });
  });
});

describe('orderRequestPath', () => {
  it('asks by id or by uid with encoded query parameters', () => {
    expect(orderRequestPath({ kind: 'id', value: '7' })).toBe('/orders?id=7');
    expect(orderRequestPath({ kind: 'uid', value: 'a b&c/d' })).toBe('/orders?uid=a+b%26c%2Fd');
  });

  it('keeps a uid named like another route in the query', () => {
    expect(orderRequestPath({ kind: 'uid', value: 'recent' })).toBe('/orders?uid=recent');
  });
});

describe('page addresses', () => {
  it('round-trips a key through the address bar', () => {
    for (const key of [
      { kind: 'id', value: '123' },
      { kind: 'uid', value: 'x<y>&"z"' },
      { kind: 'uid', value: '123' },
    ]) {
      expect(keyFromSearch(pageSearch(/** @type {any} */ (key)))).toEqual({ ok: true, key });
    }
  });

  it('names no order for an address without uid or id', () => {
    expect(keyFromSearch('')).toBeNull();
    expect(keyFromSearch('?uid=&id=')).toBeNull();
  });

  it('reports a non-numeric id in the address', () => {
    expect(keyFromSearch('?id=abc')).toMatchObject({ ok: false });
  });
});
