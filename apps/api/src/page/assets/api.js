// The page's calls to the JSON API. Every outcome is a value (found, not found, rejected input,
// server error, unreachable); nothing here throws, so the caller is one switch over `kind`.

import { orderRequestPath, searchRequestPath } from './lookup.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {{ kind: 'found', order: Record<string, unknown>, id: string | null, text: string }
 *   | { kind: 'not_found', message: string }
 *   | { kind: 'bad_input', message: string }
 *   | { kind: 'server_error', message: string }
 *   | { kind: 'unreachable', message: string }} OrderResult
 * @typedef {{ id?: unknown, order_uid?: unknown, track_number?: unknown, date_created?: unknown,
 *   customer_id?: unknown, amount?: unknown, currency?: unknown, items?: unknown }} RecentOrder
 * @typedef {{ ok: true, orders: RecentOrder[] } | { ok: false, message: string }} RecentResult
 * @typedef {{ kind: 'list', orders: RecentOrder[], next: string | null }
 *   | { kind: 'not_found', message: string }
 *   | { kind: 'bad_input', message: string }
 *   | { kind: 'server_error', message: string }
 *   | { kind: 'unreachable', message: string }} SearchResult `not_found`: a server without
 *   the search (its /orders/search is a 404)
 * @typedef {{ ok: true, stats: Record<string, unknown> } | { ok: false, message: string }} StatsResult
 */

// Long enough for a read-through to PostgreSQL, short enough that a hung server is reported.
const TIMEOUT_MS = 8000;

/**
 * @param {string} path
 * @returns {Promise<{ ok: true, response: Response } | { ok: false, message: string }>}
 */
async function get(path) {
  try {
    const response = await fetch(path, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { ok: true, response };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return {
      ok: false,
      message: timedOut ? 'The server did not answer in time.' : 'The server cannot be reached.',
    };
  }
}

/**
 * The message of an API error body `{ "error": { "code", "message" } }`, or a generic one.
 * @param {Response} response
 * @returns {Promise<string>}
 */
async function errorMessage(response) {
  try {
    const body = await response.json();
    const message = body?.error?.message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the status line.
  }
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {LookupKey} key
 * @returns {Promise<OrderResult>}
 */
export async function fetchOrder(key) {
  const sent = await get(orderRequestPath(key));
  if (!sent.ok) return { kind: 'unreachable', message: sent.message };
  const { response } = sent;
  if (response.status === 404) return { kind: 'not_found', message: await errorMessage(response) };
  if (response.status >= 400 && response.status < 500) {
    return { kind: 'bad_input', message: await errorMessage(response) };
  }
  if (!response.ok) return { kind: 'server_error', message: await errorMessage(response) };
  try {
    const text = await response.text();
    const order = JSON.parse(text);
    if (!isObject(order)) return { kind: 'server_error', message: 'The answer is not an order.' };
    return { kind: 'found', order, id: response.headers.get('x-order-id'), text };
  } catch {
    return { kind: 'server_error', message: 'The answer is not valid JSON.' };
  }
}

/**
 * One page of a track number's or a customer's orders, newest first.
 * @param {LookupKey} key a track or customer key
 * @param {{ limit: number, cursor: string | null }} page
 * @returns {Promise<SearchResult>}
 */
export async function fetchSearch(key, page) {
  const sent = await get(searchRequestPath(key, page.limit, page.cursor));
  if (!sent.ok) return { kind: 'unreachable', message: sent.message };
  const { response } = sent;
  if (response.status === 404) return { kind: 'not_found', message: await errorMessage(response) };
  if (response.status >= 400 && response.status < 500) {
    return { kind: 'bad_input', message: await errorMessage(response) };
  }
  if (!response.ok) return { kind: 'server_error', message: await errorMessage(response) };
  try {
    const body = await response.json();
    if (!isObject(body) || !Array.isArray(body.orders)) {
      return { kind: 'server_error', message: 'Unexpected answer.' };
    }
    const next = typeof body.next === 'string' && body.next !== '' ? body.next : null;
    return { kind: 'list', orders: body.orders.filter(isObject), next };
  } catch {
    return { kind: 'server_error', message: 'The answer is not valid JSON.' };
  }
}

/**
 * @param {number} limit
 * @returns {Promise<RecentResult>}
 */
export async function fetchRecent(limit) {
  const sent = await get(`/orders/recent?limit=${limit}`);
  if (!sent.ok) return { ok: false, message: sent.message };
  if (!sent.response.ok) return { ok: false, message: await errorMessage(sent.response) };
  try {
    const body = await sent.response.json();
    if (!isObject(body) || !Array.isArray(body.orders)) {
      return { ok: false, message: 'Unexpected answer.' };
    }
    return { ok: true, orders: body.orders.filter(isObject) };
  } catch {
    return { ok: false, message: 'The answer is not valid JSON.' };
  }
}

/**
 * @returns {Promise<StatsResult>}
 */
export async function fetchStats() {
  const sent = await get('/stats');
  if (!sent.ok) return { ok: false, message: sent.message };
  if (!sent.response.ok) return { ok: false, message: await errorMessage(sent.response) };
  try {
    const body = await sent.response.json();
    return isObject(body)
      ? { ok: true, stats: body }
      : { ok: false, message: 'Unexpected answer.' };
  } catch {
    return { ok: false, message: 'The answer is not valid JSON.' };
  }
}
