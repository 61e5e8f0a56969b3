// What the one lookup box means: digits are the numeric id, anything else an order_uid. Pure
// functions, so the rule is unit-tested without a browser.

/**
 * @typedef {{ kind: 'id' | 'uid', value: string }} LookupKey
 * @typedef {{ ok: true, key: LookupKey } | { ok: false, message: string }} ParsedLookup
 */

const DIGITS = /^[0-9]+$/;

/**
 * Reads the lookup box. Only emptiness is judged here; whether a uid or id is well-formed is the
 * API's call (its 400 message is shown), so the two never disagree.
 * @param {string} raw
 * @returns {ParsedLookup}
 */
export function parseLookup(raw) {
  const value = raw.trim();
  if (value === '') return { ok: false, message: 'Enter an order uid or a numeric id.' };
  return { ok: true, key: { kind: DIGITS.test(value) ? 'id' : 'uid', value } };
}

/**
 * The API request for a key. Query parameters for both kinds, so a uid such as `recent` can never
 * collide with another route under /orders/.
 * @param {LookupKey} key
 * @returns {string}
 */
export function orderRequestPath(key) {
  return `/orders?${new URLSearchParams({ [key.kind]: key.value })}`;
}

/**
 * The page's own address for a key, so a lookup can be shared or reloaded.
 * @param {LookupKey} key
 * @returns {string}
 */
export function pageSearch(key) {
  return `?${new URLSearchParams({ [key.kind]: key.value })}`;
}

/**
 * The key a page address asks for: `?uid=…` is always a uid (even if all digits), `?id=…` an id.
 * @param {string} search location.search
 * @returns {ParsedLookup | null} null when the address names no order
 */
export function keyFromSearch(search) {
  const params = new URLSearchParams(search);
  const uid = params.get('uid');
  if (uid !== null && uid.trim() !== '')
    return { ok: true, key: { kind: 'uid', value: uid.trim() } };
  const id = params.get('id');
  if (id === null || id.trim() === '') return null;
  if (!DIGITS.test(id.trim()))
    return { ok: false, message: 'The id in the address is not a number.' };
  return { ok: true, key: { kind: 'id', value: id.trim() } };
}
