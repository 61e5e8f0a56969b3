// The page's wiring: the lookup form and the address bar, the newest-orders list, and the live
// counters. Rendering lives in render.js, API calls in api.js, the lookup rule in lookup.js.

import { fetchOrder, fetchRecent, fetchStats } from './api.js';
import { byId } from './dom.js';
import { formatBytes, formatNumber, formatRate } from './format.js';
import { keyFromSearch, pageSearch, parseLookup } from './lookup.js';
import { createRateMeter } from './rate.js';
import { renderOrder, renderRecentItem } from './render.js';

/** @typedef {import('./lookup.js').LookupKey} LookupKey */

const POLL_MS = 2000;
const RECENT_LIMIT = 20;

const form = byId('lookup-form', HTMLFormElement);
const input = byId('lookup-input', HTMLInputElement);
const statusLine = byId('status', HTMLElement);
const orderView = byId('order', HTMLElement);
const recentList = byId('recent-list', HTMLOListElement);
const recentState = byId('recent-state', HTMLElement);
const liveState = byId('live-state', HTMLElement);
const statRate = byId('stat-rate', HTMLElement);
const statStored = byId('stat-stored', HTMLElement);
const statDead = byId('stat-dead', HTMLElement);

/**
 * @param {'idle' | 'loading' | 'found' | 'not-found' | 'bad-input' | 'unreachable' | 'error'} state
 * @param {string} message
 */
function setStatus(state, message) {
  statusLine.dataset.state = state;
  statusLine.textContent = message;
}

/** @param {LookupKey} key */
function describe(key) {
  return key.kind === 'id' ? `id ${key.value}` : `uid “${key.value}”`;
}

// ---- Lookup -------------------------------------------------------------------------------------

/** @type {string | null} uid of the order on screen, to mark it in the recent list */
let shownUid = null;
// Each lookup takes a number; an answer that arrives after a newer lookup started is dropped.
let lookupSeq = 0;

function clearOrder() {
  orderView.hidden = true;
  orderView.replaceChildren();
  shownUid = null;
  document.title = 'Orders';
  markCurrent();
}

/**
 * @param {LookupKey} key
 * @param {{ history: 'push' | 'replace' | 'none', focusOrder?: boolean }} options
 */
async function lookup(key, options) {
  const seq = ++lookupSeq;
  if (options.history !== 'none') {
    const search = pageSearch(key);
    if (location.search !== search) {
      const url = `/${search}`;
      if (options.history === 'push') history.pushState(null, '', url);
      else history.replaceState(null, '', url);
    }
  }
  setStatus('loading', `Looking up ${describe(key)}…`);
  orderView.setAttribute('aria-busy', 'true');
  const result = await fetchOrder(key);
  if (seq !== lookupSeq) return;
  orderView.removeAttribute('aria-busy');

  switch (result.kind) {
    case 'found': {
      orderView.replaceChildren(...renderOrder(result.order, result.id));
      orderView.hidden = false;
      shownUid = typeof result.order.order_uid === 'string' ? result.order.order_uid : null;
      document.title = `Order ${shownUid ?? ''} · Orders`;
      markCurrent();
      setStatus('found', `Showing order ${shownUid ?? describe(key)}.`);
      if (options.focusOrder) document.getElementById('order-title')?.focus();
      return;
    }
    case 'not_found':
      clearOrder();
      setStatus('not-found', `No order with ${describe(key)}.`);
      return;
    case 'bad_input':
      clearOrder();
      setStatus('bad-input', `Not a valid order ${key.kind}: ${result.message}`);
      return;
    case 'unreachable':
      clearOrder();
      setStatus(
        'unreachable',
        `${result.message} Check that the service is running, then try again.`,
      );
      return;
    case 'server_error':
      clearOrder();
      setStatus('error', `The server failed to answer: ${result.message}`);
      return;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const parsed = parseLookup(input.value);
  if (!parsed.ok) {
    lookupSeq++;
    clearOrder();
    setStatus('bad-input', parsed.message);
    input.focus();
    return;
  }
  void lookup(parsed.key, { history: 'push' });
});

/** Shows whatever the address bar names (on load and on back/forward). */
function followAddress() {
  const parsed = keyFromSearch(location.search);
  if (parsed === null) {
    lookupSeq++;
    clearOrder();
    setStatus('idle', '');
    input.value = '';
    return;
  }
  if (!parsed.ok) {
    clearOrder();
    setStatus('bad-input', parsed.message);
    return;
  }
  input.value = parsed.key.value;
  void lookup(parsed.key, { history: 'none' });
}

window.addEventListener('popstate', followAddress);

// ---- Newest orders ------------------------------------------------------------------------------

function markCurrent() {
  for (const link of recentList.querySelectorAll('a[data-uid]')) {
    if (link.getAttribute('data-uid') === shownUid) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

recentList.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('a[data-uid]') : null;
  const uid = target?.getAttribute('data-uid');
  // Let modified clicks (new tab, new window) reach the browser.
  if (!target || !uid || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)
    return;
  event.preventDefault();
  input.value = uid;
  void lookup({ kind: 'uid', value: uid }, { history: 'push', focusOrder: true });
});

let recentPending = false;

async function refreshRecent() {
  // Re-rendering under a keyboard user would throw their focus away: wait until they leave.
  if (recentList.contains(document.activeElement)) {
    recentPending = true;
    return;
  }
  recentPending = false;
  const result = await fetchRecent(RECENT_LIMIT);
  if (!result.ok) {
    if (recentList.childElementCount === 0)
      recentState.textContent = `Cannot load: ${result.message}`;
    recentState.hidden = recentList.childElementCount > 0;
    return;
  }
  const items = result.orders.map(renderRecentItem).filter((item) => item !== null);
  recentList.replaceChildren(...items);
  markCurrent();
  recentState.hidden = items.length > 0;
  recentState.textContent = items.length > 0 ? '' : 'No orders yet.';
}

recentList.addEventListener('focusout', (event) => {
  if (recentPending && !recentList.contains(/** @type {Node | null} */ (event.relatedTarget))) {
    void refreshRecent();
  }
});

// ---- Live counters ------------------------------------------------------------------------------

/**
 * The counters the page shows, from the API's /stats body (StatsSnapshot in apps/api/src/stats.ts).
 * @param {Record<string, unknown>} stats
 */
function readCounters(stats) {
  /** @param {unknown} value @returns {Record<string, unknown>} */
  const group = (value) =>
    typeof value === 'object' && value !== null
      ? /** @type {Record<string, unknown>} */ (value)
      : {};
  /** @param {unknown} value */
  const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const ingested = group(stats.ingested);
  const store = group(stats.store);
  return {
    ingested: num(ingested.total),
    serverRate: num(ingested.perSecond),
    deadLettered: num(group(stats.deadLettered).total),
    stored: num(store.count),
    storedBytes: num(store.bytes),
  };
}

const meter = createRateMeter();
/** @type {ReturnType<typeof setTimeout> | null} */
let pollTimer = null;
let polling = false;
/** @type {string | null} */
let lastFingerprint = null;

/**
 * @param {'live' | 'paused' | 'offline' | 'connecting'} state
 * @param {string} message
 */
function setLive(state, message) {
  liveState.dataset.state = state;
  liveState.textContent = message;
}

async function poll() {
  pollTimer = null;
  if (polling || document.hidden) return;
  polling = true;
  const result = await fetchStats();
  polling = false;
  if (document.hidden) return;

  if (result.ok) {
    const counters = readCounters(result.stats);
    // The rate between this page's own polls; the server's windowed figure fills the first poll.
    const measured =
      counters.ingested === null ? null : meter.push(counters.ingested, performance.now());
    const rate = measured ?? counters.serverRate;
    statRate.textContent = formatRate(rate);
    statStored.textContent = formatNumber(counters.stored);
    statStored.title = counters.storedBytes === null ? '' : formatBytes(counters.storedBytes);
    statDead.textContent = formatNumber(counters.deadLettered);
    setLive('live', `live · ${new Date().toLocaleTimeString()}`);
    const fingerprint = `${counters.ingested}/${counters.stored}`;
    if (fingerprint !== lastFingerprint) {
      lastFingerprint = fingerprint;
      void refreshRecent();
    }
  } else {
    meter.reset();
    statRate.textContent = formatRate(null);
    setLive('offline', `offline · ${result.message}`);
    // Reconnect: the next successful poll refreshes the list.
    lastFingerprint = null;
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

// A hidden tab stops polling; coming back polls at once and starts a fresh rate.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = null;
    meter.reset();
    setLive('paused', 'paused');
  } else if (pollTimer === null) {
    void poll();
  }
});

followAddress();
void poll();
