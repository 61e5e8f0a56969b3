import { describe, expect, it } from 'vitest';
import {
  describeKey,
  isLookupMode,
  keyFromSearch,
  LOOKUP_MODES,
  lookupHint,
  modeShowing,
  orderRequestPath,
  pageSearch,
  parseLookup,
  searchRequestPath,
} from './lookup.js';

/** @typedef {import('./lookup.js').LookupKey} LookupKey */

/** @param {LookupKey['kind']} kind @param {string} value @returns {LookupKey} */
const k = (kind, value) => ({ kind, value });

describe('parseLookup in auto mode', () => {
  it('asks digits as the numeric id, an order_uid and a track number at once, in that order', () => {
    expect(parseLookup('  42 ', 'auto', true)).toEqual({
      ok: true,
      plan: { keys: [k('id', '42'), k('uid', '42'), k('track', '42')] },
    });
  });

  it('asks anything else as an order_uid, then as a track number', () => {
    for (const text of ['b563feb7b2b84b6test', '-1', '12a', '1 2']) {
      expect(parseLookup(text, 'auto', true)).toEqual({
        ok: true,
        plan: { keys: [k('uid', text), k('track', text)] },
      });
    }
  });

  it('rejects an empty or blank box without asking the server', () => {
    expect(parseLookup('', 'auto', true)).toEqual({
      ok: false,
      message: 'Enter an order uid, a numeric id or a track number.',
    });
    expect(parseLookup(' \t ', 'auto', true)).toMatchObject({ ok: false });
  });
});

describe('parseLookup with an explicit choice', () => {
  it('asks an all-digit text as an order_uid only when "order uid" is chosen', () => {
    expect(parseLookup('20240615000042', 'uid', true)).toEqual({
      ok: true,
      plan: { keys: [k('uid', '20240615000042')] },
    });
  });

  it('asks any text as the numeric id when "numeric id" is chosen (the API judges it)', () => {
    expect(parseLookup('7', 'id', true)).toEqual({ ok: true, plan: { keys: [k('id', '7')] } });
    expect(parseLookup('abc', 'id', true)).toEqual({ ok: true, plan: { keys: [k('id', 'abc')] } });
  });

  it('asks any text as a track number only when "track number" is chosen', () => {
    expect(parseLookup('42', 'track', true)).toEqual({
      ok: true,
      plan: { keys: [k('track', '42')] },
    });
  });

  it('names what is missing in the chosen mode', () => {
    expect(parseLookup(' ', 'uid', true)).toEqual({ ok: false, message: 'Enter an order uid.' });
    expect(parseLookup(' ', 'id', true)).toEqual({ ok: false, message: 'Enter a numeric id.' });
    expect(parseLookup(' ', 'track', true)).toEqual({
      ok: false,
      message: 'Enter a track number.',
    });
  });
});

describe('parseLookup when the service does not look up by id (SERVER_GET_ORDER_BY_ID=0)', () => {
  it('never asks an id: auto and "numeric id" ask an order_uid, then a track number', () => {
    for (const mode of /** @type {const} */ (['auto', 'id'])) {
      expect(parseLookup('42', mode, false)).toEqual({
        ok: true,
        plan: { keys: [k('uid', '42'), k('track', '42')] },
      });
    }
    expect(parseLookup('', 'auto', false)).toEqual({
      ok: false,
      message: 'Enter an order uid or a track number.',
    });
  });
});

describe('modeShowing', () => {
  it('keeps the mode when the box would ask for the shown key first', () => {
    expect(modeShowing('auto', { kind: 'id', value: '42' })).toBe('auto');
    expect(modeShowing('auto', { kind: 'uid', value: 'abc' })).toBe('auto');
    expect(modeShowing('uid', { kind: 'uid', value: '42' })).toBe('uid');
    expect(modeShowing('id', { kind: 'id', value: '42' })).toBe('id');
  });

  it("switches to the key's kind when the mode would ask for something else", () => {
    expect(modeShowing('auto', { kind: 'uid', value: '42' })).toBe('uid');
    expect(modeShowing('id', { kind: 'uid', value: 'abc' })).toBe('uid');
    expect(modeShowing('uid', { kind: 'id', value: '42' })).toBe('id');
    expect(modeShowing('auto', { kind: 'track', value: 'WB1' })).toBe('track');
  });

  it('leaves the mode alone for a customer, which is never typed in the box', () => {
    expect(modeShowing('uid', { kind: 'customer', value: 'c-1' })).toBe('uid');
  });
});

describe('isLookupMode and lookupHint', () => {
  it('accepts the four modes only', () => {
    expect(LOOKUP_MODES.filter(isLookupMode)).toEqual(['auto', 'uid', 'id', 'track']);
    for (const value of [null, '', 'ID', 'order_uid', 1]) expect(isLookupMode(value)).toBe(false);
  });

  it('tells how each mode reads the text, and that ids are off when they are', () => {
    const hints = LOOKUP_MODES.map((mode) => lookupHint(mode, true));
    expect(new Set(hints).size).toBe(4);
    expect(lookupHint('uid', true)).toContain('even when it is all digits');
    expect(lookupHint('auto', true)).toContain('track number');
    for (const mode of /** @type {const} */ (['auto', 'id'])) {
      expect(lookupHint(mode, false)).toContain('not look orders up by numeric id');
    }
  });
});

describe('describeKey', () => {
  it('names ids bare and uids quoted', () => {
    expect(describeKey({ kind: 'id', value: '7' })).toBe('id 7');
    expect(describeKey({ kind: 'uid', value: '7' })).toBe('uid “7”');
    expect(describeKey({ kind: 'track', value: 'WB1' })).toBe('track number “WB1”');
    expect(describeKey({ kind: 'customer', value: 'c-1' })).toBe('customer “c-1”');
  });
});

describe('orderRequestPath', () => {
  it('asks by id or by uid with encoded query parameters', () => {
    expect(orderRequestPath({ kind: 'id', value: '7' })).toBe('/orders?id=7');
    expect(orderRequestPath({ kind: 'uid', value: 'a b&c/d' })).toBe('/orders?uid=a+b%26c%2Fd');
  });

  it('asks an all-digit order_uid as ?uid=, never ?id=', () => {
    expect(orderRequestPath({ kind: 'uid', value: '20240615000042' })).toBe(
      '/orders?uid=20240615000042',
    );
  });

  it('keeps a uid named like another route in the query', () => {
    expect(orderRequestPath({ kind: 'uid', value: 'recent' })).toBe('/orders?uid=recent');
  });
});

describe('searchRequestPath', () => {
  it('asks a page of a track number or a customer, the cursor only when there is one', () => {
    expect(searchRequestPath(k('track', 'WB 1&x'), 20, null)).toBe(
      '/orders/search?track_number=WB+1%26x&limit=20',
    );
    expect(searchRequestPath(k('customer', 'c-1'), 5, 'czEuMS4y')).toBe(
      '/orders/search?customer_id=c-1&limit=5&cursor=czEuMS4y',
    );
  });
});

describe('page addresses', () => {
  it('round-trips a key through the address bar', () => {
    /** @type {LookupKey[]} */
    const keys = [
      { kind: 'id', value: '123' },
      { kind: 'uid', value: 'x<y>&"z"' },
      { kind: 'uid', value: '123' },
      { kind: 'track', value: 'WB<b>1' },
      { kind: 'customer', value: 'c-1' },
    ];
    for (const key of keys) {
      expect(keyFromSearch(pageSearch(key), true)).toEqual({ ok: true, key });
    }
  });

  it('names no order for an address without uid or id', () => {
    expect(keyFromSearch('', true)).toBeNull();
    expect(keyFromSearch('?uid=&id=', true)).toBeNull();
    expect(keyFromSearch('?id=', false)).toBeNull();
  });

  it('reports a non-numeric id in the address', () => {
    expect(keyFromSearch('?id=abc', true)).toMatchObject({ ok: false });
  });

  it('reads ?id= as an order_uid when the service does, as the API then does', () => {
    expect(keyFromSearch('?id=abc', false)).toEqual({
      ok: true,
      key: { kind: 'uid', value: 'abc' },
    });
    expect(keyFromSearch('?id=42', false)).toEqual({ ok: true, key: { kind: 'uid', value: '42' } });
  });
});
