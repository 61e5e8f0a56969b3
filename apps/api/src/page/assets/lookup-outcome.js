// What the page says after a lookup: the API's answers for the key asked (and, for digits in auto
// mode, the same text asked as an order_uid) become one state and one sentence that names the key
// that matched. Pure, so every combination is unit-tested without a browser.

import { describeKey } from './lookup.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./api.js').OrderResult} OrderResult
 * @typedef {{ key: LookupKey, result: OrderResult }} Attempt
 * @typedef {{ state: 'found', key: LookupKey, order: Record<string, unknown>, id: string | null,
 *     text: string, message: string, other: LookupKey | null }
 *   | { state: 'not-found' | 'bad-input' | 'unreachable' | 'error', message: string }} Outcome
 *   `key` is the key that found the order; `other` a second key that names another order.
 */

/**
 * @param {Attempt} first the key asked first (its order wins when both find one)
 * @param {Attempt | null} second the alternative asked at the same time, if any
 * @returns {Outcome}
 */
export function lookupOutcome(first, second) {
  const attempts = second === null ? [first] : [first, second];
  const hit = attempts.find((attempt) => attempt.result.kind === 'found');
  if (hit !== undefined && hit.result.kind === 'found') {
    const { order, id, text } = hit.result;
    const rest = attempts.find((attempt) => attempt !== hit);
    const uid = typeof order.order_uid === 'string' ? order.order_uid : describeKey(hit.key);
    const by = hit.key.kind === 'id' ? `id ${hit.key.value}` : 'uid';
    let message = `Showing order ${uid}, found by ${by}.`;
    /** @type {LookupKey | null} */
    let other = null;
    if (rest?.result.kind === 'found') {
      other = rest.key;
      message += ` Another order has the ${describeKey(rest.key)}.`;
    } else if (rest !== undefined && hit !== first && rest.result.kind === 'not_found') {
      message += ` No order has the ${describeKey(rest.key)}.`;
    }
    return { state: 'found', key: hit.key, order, id, text, message, other };
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

  const missing = attempts.filter((attempt) => attempt.result.kind === 'not_found');
  const invalid = attempts.filter((attempt) => attempt.result.kind === 'bad_input');
  const reason = (/** @type {Attempt} */ attempt) =>
    attempt.result.kind === 'bad_input' ? attempt.result.message : '';
  if (missing.length === 0) {
    const [only, also] = invalid;
    if (only !== undefined && also === undefined) {
      return { state: 'bad-input', message: `Not a valid order ${only.key.kind}: ${reason(only)}` };
    }
    return {
      state: 'bad-input',
      message: `Neither a valid order ${invalid.map((a) => `${a.key.kind} (${reason(a)})`).join(' nor ')}.`,
    };
  }
  const named = missing.map((attempt) => describeKey(attempt.key)).join(' or ');
  const notes = invalid.map((a) => ` (not a valid ${a.key.kind} either: ${reason(a)})`).join('');
  return { state: 'not-found', message: `No order with ${named}${notes}.` };
}
