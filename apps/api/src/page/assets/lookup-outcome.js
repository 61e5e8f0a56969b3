// What the page says after a lookup: the API's answers for every key the text was asked as (in
// auto mode: the numeric id, the order_uid, the track number) become one state and one sentence
// that names the key that matched. Pure, so every combination is unit-tested without a browser.

import { describeKey } from './lookup.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./api.js').OrderResult} OrderResult
 * @typedef {import('./api.js').SearchResult} SearchResult
 * @typedef {import('./api.js').RecentOrder} RecentOrder
 * @typedef {{ key: LookupKey, result: OrderResult | SearchResult }} Attempt
 * @typedef {{ state: 'found', key: LookupKey, order: Record<string, unknown>, id: string | null,
 *     text: string, message: string, other: LookupKey | null }
 *   | { state: 'list', key: LookupKey, orders: RecentOrder[], next: string | null,
 *     message: string, other: LookupKey | null }
 *   | { state: 'not-found' | 'bad-input' | 'unreachable' | 'error', message: string }} Outcome
 *   `key` is the key that found the order or the list; `other` the next key that found something
 *   too (offered as a button).
 */

/** @type {Record<LookupKey['kind'], string>} */
const NOUN = { id: 'order id', uid: 'order uid', track: 'track number', customer: 'customer id' };

/** @type {Record<LookupKey['kind'], string>} */
const SHORT = { id: 'id', uid: 'uid', track: 'track number', customer: 'customer id' };

/** @param {Attempt} attempt */
function hit(attempt) {
  const { result } = attempt;
  return result.kind === 'found' || (result.kind === 'list' && result.orders.length > 0);
}

/** @param {Attempt} attempt */
function missing(attempt) {
  const { result } = attempt;
  return result.kind === 'not_found' || (result.kind === 'list' && result.orders.length === 0);
}

/**
 * "3 orders", or "More than 20 orders" when the search has a next page.
 * @param {number} count
 * @param {boolean} more
 */
export function countOrders(count, more) {
  const orders = `${count} order${count === 1 ? '' : 's'}`;
  return more ? `More than ${orders}` : orders;
}

/**
 * "with track number “X”" or "of customer “Y”".
 * @param {LookupKey} key
 */
export function listPhrase(key) {
  return `${key.kind === 'customer' ? 'of' : 'with'} ${describeKey(key)}`;
}

/**
 * Names several kinds as one phrase: "id, uid or track number".
 * @param {string[]} names
 */
function either(names) {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * @param {Attempt[]} attempts every key asked, the one shown first when several find something
 * @returns {Outcome}
 */
export function lookupOutcome(attempts) {
  const shown = attempts.find(hit);
  if (shown !== undefined) {
    const before = attempts.slice(0, attempts.indexOf(shown)).filter(missing);
    const other = attempts.find((attempt) => attempt !== shown && hit(attempt))?.key ?? null;
    let notes = '';
    if (other !== null) {
      notes = isOrderKey(other)
        ? ` Another order has the ${describeKey(other)}.`
        : ` There are orders with the ${describeKey(other)} too.`;
    } else if (before.length > 0) {
      // Say why a later reading of the text was shown (digits that are no order's id).
      notes = ` No order has the ${before.map((attempt) => describeKey(attempt.key)).join(' or the ')}.`;
    }
    const { result, key } = shown;
    if (result.kind === 'list') {
      const message = `${countOrders(result.orders.length, result.next !== null)} ${listPhrase(key)}.${notes}`;
      return { state: 'list', key, orders: result.orders, next: result.next, message, other };
    }
    if (result.kind !== 'found') throw new Error('unreachable: a hit is found or a list');
    const { order, id, text } = result;
    const uid = typeof order.order_uid === 'string' ? order.order_uid : describeKey(key);
    const by = key.kind === 'id' ? `id ${key.value}` : 'uid';
    const message = `Showing order ${uid}, found by ${by}.${notes}`;
    return { state: 'found', key, order, id, text, message, other };
  }

  // Nothing found: a failure to ask outranks an answer, since the order may exist.
  for (const { result } of attempts) {
    if (result.kind === 'unreachable') {
      return {
        state: 'unreachable',
        message: `${result.message} Check that the service is running, then try again.`,
      };
    }
  }
  for (const { result } of attempts) {
    if (result.kind === 'server_error') {
      return { state: 'error', message: `The server failed to answer: ${result.message}` };
    }
  }

  const absent = attempts.filter(missing);
  const invalid = attempts.filter((attempt) => attempt.result.kind === 'bad_input');
  const reason = (/** @type {Attempt} */ attempt) =>
    attempt.result.kind === 'bad_input' ? attempt.result.message : '';
  if (absent.length === 0) {
    const [only, also] = invalid;
    if (only !== undefined && also === undefined) {
      return { state: 'bad-input', message: `Not a valid ${NOUN[only.key.kind]}: ${reason(only)}` };
    }
    return {
      state: 'bad-input',
      message: `Neither a valid ${invalid.map((a) => `${NOUN[a.key.kind]} (${reason(a)})`).join(' nor ')}.`,
    };
  }
  const value = attempts[0]?.key.value ?? '';
  const kinds = either(absent.map((attempt) => SHORT[attempt.key.kind]));
  const notes = invalid
    .map((a) => ` (not a valid ${NOUN[a.key.kind]} either: ${reason(a)})`)
    .join('');
  return {
    state: 'not-found',
    message: `Nothing found for “${value}”: no order with that ${kinds}${notes}.`,
  };
}

/** @param {LookupKey} key */
function isOrderKey(key) {
  return key.kind === 'id' || key.kind === 'uid';
}
