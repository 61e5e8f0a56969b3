import { describe, expect, it } from 'vitest';
import { countOrders, lookupOutcome } from './lookup-outcome.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./api.js').OrderResult} OrderResult
 * @typedef {import('./api.js').SearchResult} SearchResult
 */

/** @type {LookupKey} */
const ID_42 = { kind: 'id', value: '42' };
/** @type {LookupKey} */
const UID_42 = { kind: 'uid', value: '42' };
/** @type {LookupKey} */
const TRACK_42 = { kind: 'track', value: '42' };
/** @type {LookupKey} */
const UID_ABC = { kind: 'uid', value: 'abc' };
/** @type {LookupKey} */
const TRACK_ABC = { kind: 'track', value: 'abc' };
/** @type {LookupKey} */
const CUSTOMER = { kind: 'customer', value: 'c-1' };

/**
 * @param {string} uid
 * @param {string} id
 * @returns {OrderResult}
 */
function found(uid, id) {
  const order = { order_uid: uid };
  return { kind: 'found', order, id, text: JSON.stringify(order) };
}
/**
 * @param {number} count
 * @param {string | null} [next]
 * @returns {SearchResult}
 */
function list(count, next = null) {
  const orders = Array.from({ length: count }, (_, i) => ({ id: i + 1, order_uid: `o-${i + 1}` }));
  return { kind: 'list', orders, next };
}
/** @type {OrderResult} */
const NOT_FOUND = { kind: 'not_found', message: 'order not found' };
/** @param {string} message @returns {OrderResult} */
const bad = (message) => ({ kind: 'bad_input', message });
/** @type {OrderResult} */
const UNREACHABLE = { kind: 'unreachable', message: 'The server cannot be reached.' };
/** @type {OrderResult} */
const SERVER_ERROR = { kind: 'server_error', message: 'internal error' };

describe('one key asked', () => {
  it('names the order and the key that found it', () => {
    expect(lookupOutcome([{ key: UID_ABC, result: found('abc', '3') }])).toMatchObject({
      state: 'found',
      key: UID_ABC,
      id: '3',
      message: 'Showing order abc, found by uid.',
      other: null,
    });
    expect(lookupOutcome([{ key: ID_42, result: found('abc', '42') }])).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42.',
    });
  });

  it('keeps each failure apart: not found, bad input, unreachable, server error', () => {
    expect(lookupOutcome([{ key: UID_ABC, result: NOT_FOUND }])).toEqual({
      state: 'not-found',
      message: 'Nothing found for “abc”: no order with that uid.',
    });
    expect(lookupOutcome([{ key: ID_42, result: NOT_FOUND }])).toEqual({
      state: 'not-found',
      message: 'Nothing found for “42”: no order with that id.',
    });
    expect(lookupOutcome([{ key: ID_42, result: bad('id must be …') }])).toEqual({
      state: 'bad-input',
      message: 'Not a valid order id: id must be …',
    });
    expect(lookupOutcome([{ key: UID_ABC, result: UNREACHABLE }])).toEqual({
      state: 'unreachable',
      message: 'The server cannot be reached. Check that the service is running, then try again.',
    });
    expect(lookupOutcome([{ key: UID_ABC, result: SERVER_ERROR }])).toEqual({
      state: 'error',
      message: 'The server failed to answer: internal error',
    });
  });
});

describe('a list key asked (track number, customer)', () => {
  it('counts the orders found, and says when more pages follow', () => {
    expect(lookupOutcome([{ key: TRACK_ABC, result: list(3) }])).toMatchObject({
      state: 'list',
      key: TRACK_ABC,
      next: null,
      message: '3 orders with track number “abc”.',
    });
    expect(lookupOutcome([{ key: TRACK_ABC, result: list(1) }])).toMatchObject({
      message: '1 order with track number “abc”.',
    });
    expect(lookupOutcome([{ key: CUSTOMER, result: list(20, 'c2') }])).toMatchObject({
      state: 'list',
      next: 'c2',
      message: 'More than 20 orders of customer “c-1”.',
    });
    expect(countOrders(0, false)).toBe('0 orders');
  });

  it('is nothing found when the list is empty, or the server has no search (404)', () => {
    for (const result of [list(0), NOT_FOUND]) {
      expect(lookupOutcome([{ key: TRACK_ABC, result }])).toEqual({
        state: 'not-found',
        message: 'Nothing found for “abc”: no order with that track number.',
      });
    }
    expect(lookupOutcome([{ key: TRACK_ABC, result: bad('track_number is too long') }])).toEqual({
      state: 'bad-input',
      message: 'Not a valid track number: track_number is too long',
    });
  });
});

describe('text asked as a uid, then as a track number (auto)', () => {
  it('shows the uid’s order first and offers the track number’s orders', () => {
    const outcome = lookupOutcome([
      { key: UID_ABC, result: found('abc', '3') },
      { key: TRACK_ABC, result: list(2) },
    ]);
    expect(outcome).toMatchObject({
      state: 'found',
      key: UID_ABC,
      message: 'Showing order abc, found by uid. There are orders with the track number “abc” too.',
      other: TRACK_ABC,
    });
  });

  it('shows the track number’s orders when no order has the uid, and says so', () => {
    expect(
      lookupOutcome([
        { key: UID_ABC, result: NOT_FOUND },
        { key: TRACK_ABC, result: list(3) },
      ]),
    ).toMatchObject({
      state: 'list',
      key: TRACK_ABC,
      message: '3 orders with track number “abc”. No order has the uid “abc”.',
      other: null,
    });
  });

  it('names the reading that could not match when nothing is found', () => {
    expect(
      lookupOutcome([
        { key: UID_ABC, result: bad('order_uid must be letters, digits, _ or -') },
        { key: TRACK_ABC, result: list(0) },
      ]),
    ).toEqual({
      state: 'not-found',
      message:
        'Nothing found for “abc”: no order with that track number (not a valid order uid either: order_uid must be letters, digits, _ or -).',
    });
  });

  it('a failed search hides no order: it is reported only when nothing was found', () => {
    expect(
      lookupOutcome([
        { key: UID_ABC, result: found('abc', '3') },
        { key: TRACK_ABC, result: SERVER_ERROR },
      ]),
    ).toMatchObject({ state: 'found', other: null });
    expect(
      lookupOutcome([
        { key: UID_ABC, result: NOT_FOUND },
        { key: TRACK_ABC, result: SERVER_ERROR },
      ]),
    ).toMatchObject({ state: 'error' });
  });
});

describe('digits asked as the id, the order_uid and the track number (auto)', () => {
  it('shows the order with that id when only the id matches, and says nothing of the rest', () => {
    const outcome = lookupOutcome([
      { key: ID_42, result: found('abc', '42') },
      { key: UID_42, result: NOT_FOUND },
      { key: TRACK_42, result: list(0) },
    ]);
    expect(outcome).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42.',
      other: null,
    });
  });

  it('shows the order with that uid when no order has the id, and says so', () => {
    const outcome = lookupOutcome([
      { key: ID_42, result: NOT_FOUND },
      { key: UID_42, result: found('42', '7') },
      { key: TRACK_42, result: list(0) },
    ]);
    expect(outcome).toMatchObject({
      state: 'found',
      key: UID_42,
      id: '7',
      message: 'Showing order 42, found by uid. No order has the id 42.',
      other: null,
    });
  });

  it('shows the track number’s orders when neither the id nor the uid names one', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: NOT_FOUND },
        { key: UID_42, result: NOT_FOUND },
        { key: TRACK_42, result: list(2) },
      ]),
    ).toMatchObject({
      state: 'list',
      key: TRACK_42,
      message: '2 orders with track number “42”. No order has the id 42 or the uid “42”.',
    });
  });

  it('finds the uid when the digits are no valid id (0, or beyond 2^53 − 1)', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: found('0', '9') },
      ]),
    ).toMatchObject({ state: 'found', key: UID_42, message: 'Showing order 0, found by uid.' });
  });

  it('shows the id’s order and offers the next that names something', () => {
    const outcome = lookupOutcome([
      { key: ID_42, result: found('abc', '42') },
      { key: UID_42, result: found('42', '7') },
      { key: TRACK_42, result: list(1) },
    ]);
    expect(outcome).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42. Another order has the uid “42”.',
      other: UID_42,
    });
  });

  it('still shows a found order when another request failed', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: UNREACHABLE },
        { key: UID_42, result: found('42', '7') },
      ]),
    ).toMatchObject({ state: 'found', key: UID_42 });
  });

  it('names every reading when none matches', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: NOT_FOUND },
        { key: UID_42, result: NOT_FOUND },
        { key: TRACK_42, result: list(0) },
      ]),
    ).toEqual({
      state: 'not-found',
      message: 'Nothing found for “42”: no order with that id, uid or track number.',
    });
  });

  it('says why a key could not match when the others were simply not found', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: NOT_FOUND },
      ]),
    ).toEqual({
      state: 'not-found',
      message:
        'Nothing found for “42”: no order with that uid (not a valid order id either: id must be …).',
    });
  });

  it('is bad input only when every key is', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: bad('order_uid must be …') },
      ]),
    ).toEqual({
      state: 'bad-input',
      message: 'Neither a valid order id (id must be …) nor order uid (order_uid must be …).',
    });
  });

  it('reports the server as unreachable or failing rather than a possibly wrong not found', () => {
    expect(
      lookupOutcome([
        { key: ID_42, result: NOT_FOUND },
        { key: UID_42, result: UNREACHABLE },
      ]),
    ).toMatchObject({ state: 'unreachable' });
    expect(
      lookupOutcome([
        { key: ID_42, result: SERVER_ERROR },
        { key: UID_42, result: NOT_FOUND },
      ]),
    ).toMatchObject({ state: 'error' });
    expect(
      lookupOutcome([
        { key: ID_42, result: SERVER_ERROR },
        { key: UID_42, result: UNREACHABLE },
      ]),
    ).toMatchObject({ state: 'unreachable' });
  });
});
