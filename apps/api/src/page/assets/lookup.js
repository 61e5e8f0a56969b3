// What the lookup box asks for. The person picks how the text is read ("Look up by": auto, order
// uid, numeric id); in auto, digits are asked both as the numeric id and as an order_uid, since an
// order_uid may be all digits. Pure functions, so the rules are unit-tested without a browser.

/**
 * @typedef {'id' | 'uid'} KeyKind
 * @typedef {{ kind: KeyKind, value: string }} LookupKey
 * @typedef {'auto' | 'uid' | 'id'} LookupMode
 * @typedef {{ key: LookupKey, alternative: LookupKey | null }} LookupPlan the key asked and shown
 *   first, and one asked at the same time, shown when the first names no order
 * @typedef {{ ok: true, plan: LookupPlan } | { ok: false, message: string }} ParsedLookup
 * @typedef {{ ok: true, key: LookupKey } | { ok: false, message: string }} ParsedAddress
 */

const DIGITS = /^[0-9]+$/;

/** @type {readonly LookupMode[]} */
export const LOOKUP_MODES = ['auto', 'uid', 'id'];

/**
 * @param {unknown} value
 * @returns {value is LookupMode}
 */
export function isLookupMode(value) {
  return LOOKUP_MODES.includes(/** @type {LookupMode} */ (value));
}

/**
 * The kind of key the box's text is asked as first in a mode.
 * @param {LookupMode} mode
 * @param {string} value
 * @returns {KeyKind}
 */
function readsAs(mode, value) {
  if (mode === 'auto') return DIGITS.test(value) ? 'id' : 'uid';
  return mode;
}

/**
 * Reads the lookup box. Only emptiness is judged here; whether a uid or id is well-formed is the
 * API's call (its 400 message is shown), so the two never disagree.
 * `idLookup` is whether the service looks orders up by numeric id (SERVER_GET_ORDER_BY_ID=1); when
 * it does not, every text is an order_uid, whatever the mode.
 * @param {string} raw
 * @param {LookupMode} mode
 * @param {boolean} idLookup
 * @returns {ParsedLookup}
 */
export function parseLookup(raw, mode, idLookup) {
  const value = raw.trim();
  const effective = idLookup ? mode : 'uid';
  if (value === '') {
    const wanted = {
      auto: 'an order uid or a numeric id',
      uid: 'an order uid',
      id: 'a numeric id',
    };
    return { ok: false, message: `Enter ${wanted[effective]}.` };
  }
  const kind = readsAs(effective, value);
  const alternative =
    effective === 'auto' && kind === 'id' ? { kind: /** @type {const} */ ('uid'), value } : null;
  return { ok: true, plan: { key: { kind, value }, alternative } };
}

/**
 * The mode that keeps the box truthful after the page shows `key` (from the address bar, the
 * newest-orders list, or an explicit choice): the current mode if submitting the box again asks
 * for `key` first, else the key's own kind (an all-digit uid switches auto to "order uid").
 * @param {LookupMode} mode
 * @param {LookupKey} key
 * @returns {LookupMode}
 */
export function modeShowing(mode, key) {
  return readsAs(mode, key.value) === key.kind ? mode : key.kind;
}

/**
 * The line under the box, saying how the text will be read.
 * @param {LookupMode} mode
 * @param {boolean} idLookup
 * @returns {string}
 */
export function lookupHint(mode, idLookup) {
  if (!idLookup) {
    return 'Any text is an order_uid: this service does not look orders up by numeric id.';
  }
  if (mode === 'uid') return 'The text is an order_uid, even when it is all digits.';
  if (mode === 'id') return 'The numeric id the service gave the order (digits only).';
  return 'Digits are tried as the numeric id, then as an order_uid; anything else is an order_uid.';
}

/**
 * How a key is named in messages.
 * @param {LookupKey} key
 * @returns {string}
 */
export function describeKey(key) {
  return key.kind === 'id' ? `id ${key.value}` : `uid “${key.value}”`;
}

/**
 * The API request for a key: `?id=` only for a numeric id, `?uid=` for an order_uid (all digits or
 * not). Query parameters for both kinds, so a uid such as `recent` can never collide with another
 * route under /orders/.
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
 * The key a page address asks for: `?uid=…` is always a uid (even if all digits), `?id=…` an id —
 * or, when the service does not look up by id, a uid, as the API reads `?id=` then.
 * @param {string} search location.search
 * @param {boolean} idLookup
 * @returns {ParsedAddress | null} null when the address names no order
 */
export function keyFromSearch(search, idLookup) {
  const params = new URLSearchParams(search);
  const uid = params.get('uid');
  if (uid !== null && uid.trim() !== '')
    return { ok: true, key: { kind: 'uid', value: uid.trim() } };
  const id = params.get('id');
  if (id === null || id.trim() === '') return null;
  if (!idLookup) return { ok: true, key: { kind: 'uid', value: id.trim() } };
  if (!DIGITS.test(id.trim()))
    return { ok: false, message: 'The id in the address is not a number.' };
  return { ok: true, key: { kind: 'id', value: id.trim() } };
}
