import { describe, expect, it } from 'vitest';
import { lookupOutcome } from './lookup-outcome.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./api.js').OrderResult} OrderResult
 */

/** @type {LookupKey} */
const ID_42 = { kind: 'id', value: '42' };
/** @type {LookupKey} */
const UID_42 = { kind: 'uid', value: '42' };
/** @type {LookupKey} */
const UID_ABC = { kind: 'uid', value: 'abc' };

/**
 * @param {string} uid
 * @param {string} id
 * @returns {OrderResult}
 */
function found(uid, id) {
  const order = { order_uid: uid };
  return { kind: 'found', order, id, text: JSON.stringify(order) };
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
    expect(lookupOutcome({ key: UID_ABC, result: found('abc', '3') }, null)).toMatchObject({
      state: 'found',
      key: UID_ABC,
      id: '3',
      message: 'Showing order abc, found by uid.',
      other: null,
    });
    expect(lookupOutcome({ key: ID_42, result: found('abc', '42') }, null)).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42.',
    });
  });

  it('keeps each failure apart: not found, bad input, unreachable, server error', () => {
    expect(lookupOutcome({ key: UID_ABC, result: NOT_FOUND }, null)).toEqual({
      state: 'not-found',
      message: 'No order with uid “abc”.',
    });
    expect(lookupOutcome({ key: ID_42, result: NOT_FOUND }, null)).toEqual({
      state: 'not-found',
      message: 'No order with id 42.',
    });
    expect(lookupOutcome({ key: ID_42, result: bad('id must be …') }, null)).toEqual({
      state: 'bad-input',
      message: 'Not a valid order id: id must be …',
    });
    expect(lookupOutcome({ key: UID_ABC, result: UNREACHABLE }, null)).toEqual({
      state: 'unreachable',
      message: 'The server cannot be reached. Check that the service is running, then try again.',
    });
    expect(lookupOutcome({ key: UID_ABC, result: SERVER_ERROR }, null)).toEqual({
      state: 'error',
      message: 'The server failed to answer: internal error',
    });
  });
});

describe('digits asked as the id and as an order_uid (auto)', () => {
  it('shows the order with that id when only the id matches, and says nothing of the uid', () => {
    const outcome = lookupOutcome(
      { key: ID_42, result: found('abc', '42') },
      { key: UID_42, result: NOT_FOUND },
    );
    expect(outcome).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42.',
      other: null,
    });
  });

  it('shows the order with that uid when no order has the id, and says so', () => {
    const outcome = lookupOutcome(
      { key: ID_42, result: NOT_FOUND },
      { key: UID_42, result: found('42', '7') },
    );
    expect(outcome).toMatchObject({
      state: 'found',
      key: UID_42,
      id: '7',
      message: 'Showing order 42, found by uid. No order has the id 42.',
      other: null,
    });
  });

  it('finds the uid when the digits are no valid id (0, or beyond 2^53 − 1)', () => {
    expect(
      lookupOutcome(
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: found('0', '9') },
      ),
    ).toMatchObject({ state: 'found', key: UID_42, message: 'Showing order 0, found by uid.' });
  });

  it('shows the id’s order and offers the other when both name an order', () => {
    const outcome = lookupOutcome(
      { key: ID_42, result: found('abc', '42') },
      { key: UID_42, result: found('42', '7') },
    );
    expect(outcome).toMatchObject({
      state: 'found',
      key: ID_42,
      message: 'Showing order abc, found by id 42. Another order has the uid “42”.',
      other: UID_42,
    });
  });

  it('still shows a found order when the other request failed', () => {
    expect(
      lookupOutcome({ key: ID_42, result: UNREACHABLE }, { key: UID_42, result: found('42', '7') }),
    ).toMatchObject({ state: 'found', key: UID_42 });
  });

  it('names both keys when neither matches', () => {
    expect(
      lookupOutcome({ key: ID_42, result: NOT_FOUND }, { key: UID_42, result: NOT_FOUND }),
    ).toEqual({ state: 'not-found', message: 'No order with id 42 or uid “42”.' });
  });

  it('says why a key could not match when the other was simply not found', () => {
    expect(
      lookupOutcome(
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: NOT_FOUND },
      ),
    ).toEqual({
      state: 'not-found',
      message: 'No order with uid “42” (not a valid id either: id must be …).',
    });
  });

  it('is bad input only when both keys are', () => {
    expect(
      lookupOutcome(
        { key: ID_42, result: bad('id must be …') },
        { key: UID_42, result: bad('order_uid must be …') },
      ),
    ).toEqual({
      state: 'bad-input',
      message: 'Neither a valid order id (id must be …) nor uid (order_uid must be …).',
    });
  });

  it('reports the server as unreachable or failing rather than a possibly wrong not found', () => {
    expect(
      lookupOutcome({ key: ID_42, result: NOT_FOUND }, { key: UID_42, result: UNREACHABLE }),
    ).toMatchObject({ state: 'unreachable' });
    expect(
      lookupOutcome({ key: ID_42, result: SERVER_ERROR }, { key: UID_42, result: NOT_FOUND }),
    ).toMatchObject({ state: 'error' });
    expect(
      lookupOutcome({ key: ID_42, result: SERVER_ERROR }, { key: UID_42, result: UNREACHABLE }),
    ).toMatchObject({ state: 'unreachable' });
  });
});
