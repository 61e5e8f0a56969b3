// What the lookup box asks for. The person picks how the text is read ("Look up by": auto, order
// uid, numeric id, track number); in auto, the text is asked every way it could be read, all at
// once, and the first kind in a fixed order that finds something is shown: digits as the numeric
// id, then as an order_uid (an order_uid may be all digits), then as a track number; anything else
// as an order_uid, then as a track number. A track number, like a customer (the "customer's
// orders" link), names a list of orders: /orders/search. Pure functions, unit-tested without a
// browser.

/**
 * @typedef {'id' | 'uid' | 'track' | 'customer'} KeyKind id and uid name one order; track and
 *   customer a list (searched)
 * @typedef {{ kind: KeyKind, value: string }} LookupKey
 * @typedef {'auto' | 'uid' | 'id' | 'track'} LookupMode
 * @typedef {{ keys: LookupKey[] }} LookupPlan the keys asked at once, first (shown) first
 * @typedef {{ ok: true, plan: LookupPlan } | { ok: false, message: string }} ParsedLookup
 * @typedef {{ ok: true, key: LookupKey } | { ok: false, message: string }} ParsedAddress
 */

const DIGITS = /^[0-9]+$/;

/** @type {readonly LookupMode[]} */
export const LOOKUP_MODES = ['auto', 'uid', 'id', 'track'];

/** The page's address parameter of each kind (also the API's, but for `track` and `customer`). */
const PARAMS = /** @type {const} */ ({
  uid: 'uid',
  id: 'id',
  track: 'track_number',
  customer: 'customer_id',
});

/**
 * @param {unknown} value
 * @returns {value is LookupMode}
 */
export function isLookupMode(value) {
  return LOOKUP_MODES.includes(/** @type {LookupMode} */ (value));
}

/**
 * Whether a key names a list of orders (a search) rather than one order.
 * @param {LookupKey} key
 */
export function isListKey(key) {
  return key.kind === 'track' || key.kind === 'customer';
}

/**
 * The keys a text is asked as in a mode, the one shown first when several find something. Without
 * id lookups (SERVER_GET_ORDER_BY_ID=0) auto never asks an id, and "numeric id" is auto.
 * @param {LookupMode} mode
 * @param {string} value
 * @param {boolean} idLookup
 * @returns {LookupKey[]}
 */
function keysFor(mode, value, idLookup) {
  if (mode === 'uid' || mode === 'track') return [{ kind: mode, value }];
  if (mode === 'id' && idLookup) return [{ kind: 'id', value }];
  /** @type {LookupKey[]} */
  const keys = idLookup && DIGITS.test(value) ? [{ kind: 'id', value }] : [];
  return [...keys, { kind: 'uid', value }, { kind: 'track', value }];
}

/**
 * Reads the lookup box. Only emptiness is judged here; whether a uid, id or track number is
 * well-formed is the API's call (its 400 message is shown), so the two never disagree.
 * `idLookup` is whether the service looks orders up by numeric id (SERVER_GET_ORDER_BY_ID=1).
 * @param {string} raw
 * @param {LookupMode} mode
 * @param {boolean} idLookup
 * @returns {ParsedLookup}
 */
export function parseLookup(raw, mode, idLookup) {
  const value = raw.trim();
  if (value === '') {
    const wanted = {
      auto: idLookup
        ? 'an order uid, a numeric id or a track number'
        : 'an order uid or a track number',
      uid: 'an order uid',
      id: idLookup ? 'a numeric id' : 'an order uid or a track number',
      track: 'a track number',
    };
    return { ok: false, message: `Enter ${wanted[mode]}.` };
  }
  return { ok: true, plan: { keys: keysFor(mode, value, idLookup) } };
}

/**
 * The mode that keeps the box truthful after the page shows `key` (from the address bar, the
 * newest-orders list, a result list, or an explicit choice): the current mode if submitting the box again asks
 * for `key` first, else the key's own kind (an all-digit uid switches auto to "order uid").
 * @param {LookupMode} mode
 * @param {LookupKey} key
 * @returns {LookupMode}
 */
export function modeShowing(mode, key) {
  // A customer is never typed in the box: showing one leaves the box as it was.
  if (key.kind === 'customer') return mode;
  return keysFor(mode, key.value, true)[0]?.kind === key.kind ? mode : key.kind;
}

/**
 * The line under the box, saying how the text will be read.
 * @param {LookupMode} mode
 * @param {boolean} idLookup
 * @returns {string}
 */
export function lookupHint(mode, idLookup) {
  if (mode === 'uid') return 'The text is an order_uid, even when it is all digits.';
  if (mode === 'track') return 'Every order with this track number, newest first.';
  if (!idLookup) {
    return 'Tried as an order_uid, then as a track number: this service does not look orders up by numeric id.';
  }
  if (mode === 'id') return 'The numeric id the service gave the order (digits only).';
  return 'Digits are tried as the numeric id, then as an order_uid, then as a track number; anything else as an order_uid, then as a track number.';
}

/**
 * How a key is named in messages.
 * @param {LookupKey} key
 * @returns {string}
 */
export function describeKey(key) {
  if (key.kind === 'id') return `id ${key.value}`;
  if (key.kind === 'uid') return `uid “${key.value}”`;
  return `${key.kind === 'track' ? 'track number' : 'customer'} “${key.value}”`;
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
 * The API request for one page of a list key's orders: `/orders/search` by track number or
 * customer, `cursor` the `next` of the page before.
 * @param {LookupKey} key a track or customer key
 * @param {number} limit
 * @param {string | null} cursor
 * @returns {string}
 */
export function searchRequestPath(key, limit, cursor) {
  const params = new URLSearchParams({ [PARAMS[key.kind]]: key.value, limit: String(limit) });
  if (cursor !== null) params.set('cursor', cursor);
  return `/orders/search?${params}`;
}

/**
 * The page's own address for a key, so a lookup can be shared or reloaded.
 * @param {LookupKey} key
 * @returns {string}
 */
export function pageSearch(key) {
  return `?${new URLSearchParams({ [PARAMS[key.kind]]: key.value })}`;
}

/**
 * The key a page address asks for: `?uid=…` is always a uid (even if all digits), `?id=…` an id —
 * or, when the service does not look up by id, a uid, as the API reads `?id=` then;
 * `?track_number=…` and `?customer_id=…` that list.
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
  if (id === null || id.trim() === '') {
    for (const kind of /** @type {const} */ (['track', 'customer'])) {
      const value = params.get(PARAMS[kind])?.trim();
      if (value) return { ok: true, key: { kind, value } };
    }
    return null;
  }
  if (!idLookup) return { ok: true, key: { kind: 'uid', value: id.trim() } };
  if (!DIGITS.test(id.trim()))
    return { ok: false, message: 'The id in the address is not a number.' };
  return { ok: true, key: { kind: 'id', value: id.trim() } };
}
