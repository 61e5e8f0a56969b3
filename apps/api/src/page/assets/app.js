// The page's wiring: the lookup form and the address bar, the newest-orders list, and the live
// counters. Rendering lives in render.js, API calls in api.js, the lookup rules in lookup.js,
// what a lookup's answers mean in lookup-outcome.js and the result lists (a track number's, a
// customer's) in results.js. The dead-letters view is dead-letters.js.

import { fetchOrder, fetchRecent, fetchSearch, fetchStats } from './api.js';
import { startDeadLetters } from './dead-letters.js';
import { byId } from './dom.js';
import { formatBytes, formatNumber, formatRate } from './format.js';
import { revealHidden } from './hidden-chars.js';
import {
  describeKey,
  isListKey,
  isLookupMode,
  keyFromSearch,
  lookupHint,
  modeShowing,
  pageSearch,
  parseLookup,
} from './lookup.js';
import { lookupOutcome } from './lookup-outcome.js';
import { createRateMeter } from './rate.js';
import { renderOrder, renderRecentItem } from './render.js';
import { createResultsView, RESULTS_PAGE } from './results.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./lookup.js').LookupMode} LookupMode
 * @typedef {import('./lookup.js').LookupPlan} LookupPlan
 */

const POLL_MS = 2000;
const RECENT_LIMIT = 20;

const form = byId('lookup-form', HTMLFormElement);
const input = byId('lookup-input', HTMLInputElement);
const inputLabel = byId('lookup-label', HTMLLabelElement);
const modeControl = byId('lookup-by', HTMLFieldSetElement);
const hint = byId('lookup-hint', HTMLElement);
const statusLine = byId('status', HTMLElement);
const otherLine = byId('lookup-other', HTMLElement);
const otherButton = byId('lookup-other-button', HTMLButtonElement);
const orderView = byId('order', HTMLElement);
const results = createResultsView();
const recentList = byId('recent-list', HTMLOListElement);
const recentState = byId('recent-state', HTMLElement);
const liveState = byId('live-state', HTMLElement);
const statRate = byId('stat-rate', HTMLElement);
const statStored = byId('stat-stored', HTMLElement);
const statDead = byId('stat-dead', HTMLElement);

/**
 * @param {'idle' | 'loading' | 'found' | 'list' | 'not-found' | 'bad-input' | 'unreachable' | 'error'} state
 * @param {string} message
 */
function setStatus(state, message) {
  statusLine.dataset.state = state;
  // The message can quote the lookup box or the address bar (and an order's uid): hidden
  // characters there are shown as markers (hidden-chars.js), never drawn.
  statusLine.textContent = revealHidden(message);
}

// ---- Lookup -------------------------------------------------------------------------------------

// Whether `GET /orders?id=` is the numeric id (SERVER_GET_ORDER_BY_ID=1): the server writes it into
// the page (createPageRoutes), so the page never asks `?id=` where the API would read a uid.
const idLookup =
  document.querySelector('meta[name="orders-id-lookup"]')?.getAttribute('content') !== 'off';

/** @returns {LookupMode} */
function currentMode() {
  const value = new FormData(form).get('by');
  // Without id lookups the choice is hidden: every text is tried as a uid, then a track number.
  return idLookup && isLookupMode(value) ? value : 'auto';
}

/** @param {LookupMode} mode */
function setMode(mode) {
  for (const radio of modeControl.querySelectorAll('input[name="by"]')) {
    if (radio instanceof HTMLInputElement) radio.checked = radio.value === mode;
  }
  hint.textContent = lookupHint(currentMode(), idLookup);
}

if (!idLookup) {
  modeControl.hidden = true;
  modeControl.disabled = true;
  inputLabel.textContent = 'Order uid or track number';
}
hint.textContent = lookupHint(currentMode(), idLookup);
modeControl.addEventListener('change', () => {
  hint.textContent = lookupHint(currentMode(), idLookup);
});

/** @type {LookupKey | null} the other order the last lookup found, offered as a button */
let otherKey = null;

/** @param {LookupKey | null} key */
function offerOther(key) {
  otherKey = key;
  otherLine.hidden = key === null;
  const what = key !== null && isListKey(key) ? 'orders' : 'order';
  otherButton.textContent =
    key === null ? '' : revealHidden(`Show the ${what} with the ${describeKey(key)}`);
}

/** @type {string | null} uid of the order on screen, to mark it in the recent list */
let shownUid = null;
// Each lookup takes a number; an answer that arrives after a newer lookup started is dropped.
let lookupSeq = 0;

function clearOrder() {
  offerOther(null);
  results.clear();
  orderView.hidden = true;
  orderView.replaceChildren();
  shownUid = null;
  document.title = 'Orders';
  markCurrent();
}

/**
 * Asks every key of the plan at once and shows what the first that finds something found: an
 * order, or a list of orders. The address names that key, so a reload shows the same.
 * @param {LookupPlan} plan
 * @param {{ history: 'push' | 'replace' | 'none', focus?: boolean, from?: string | null }} options
 *   `from`: the order a list was opened from (marked in it)
 */
async function lookup(plan, options) {
  const seq = ++lookupSeq;
  const { keys } = plan;
  const [key] = keys;
  if (key === undefined) return;
  if (options.history !== 'none') {
    const search = pageSearch(key);
    if (location.search !== search) {
      const url = `/${search}`;
      // The mode rides along, so back/forward restores the choice the person made.
      const state = { mode: currentMode(), from: options.from ?? null };
      if (options.history === 'push') history.pushState(state, '', url);
      else history.replaceState(state, '', url);
    }
  }
  offerOther(null);
  setStatus('loading', `Looking up ${keys.map(describeKey).join(' or ')}…`);
  orderView.setAttribute('aria-busy', 'true');
  const attempts = await Promise.all(
    keys.map(async (asked) => ({
      key: asked,
      result: isListKey(asked)
        ? await fetchSearch(asked, { limit: RESULTS_PAGE, cursor: null })
        : await fetchOrder(asked),
    })),
  );
  if (seq !== lookupSeq) return;
  orderView.removeAttribute('aria-busy');

  const outcome = lookupOutcome(attempts);
  if (outcome.state !== 'found' && outcome.state !== 'list') {
    clearOrder();
    setStatus(outcome.state, outcome.message);
    return;
  }
  if (outcome.key !== key && location.search === pageSearch(key)) {
    history.replaceState(history.state, '', `/${pageSearch(outcome.key)}`);
  }
  if (outcome.state === 'list') {
    clearOrder();
    results.show(outcome.key, outcome.orders, outcome.next, options.from ?? null);
    const by = outcome.key.kind === 'customer' ? 'Customer' : 'Track number';
    document.title = revealHidden(`${by} ${outcome.key.value} · Orders`);
    setStatus('list', outcome.message);
    offerOther(outcome.other);
    if (options.focus) results.focus();
    return;
  }
  results.clear();
  orderView.replaceChildren(...renderOrder(outcome.order, outcome.id));
  orderView.hidden = false;
  shownUid = typeof outcome.order.order_uid === 'string' ? outcome.order.order_uid : null;
  document.title = revealHidden(`Order ${shownUid ?? ''} · Orders`);
  markCurrent();
  setStatus('found', outcome.message);
  offerOther(outcome.other);
  if (options.focus) document.getElementById('order-title')?.focus();
}

/**
 * Shows one key's order or list, the box and the mode made to match it (a customer, never typed
 * in the box, leaves both as they are).
 * @param {LookupKey} key
 * @param {string | null} [from] the order a list is opened from
 */
function showKey(key, from = null) {
  if (key.kind !== 'customer') {
    input.value = key.value;
    setMode(modeShowing(currentMode(), key));
  }
  void lookup({ keys: [key] }, { history: 'push', focus: true, from });
}

otherButton.addEventListener('click', () => {
  if (otherKey !== null) showKey(otherKey);
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const parsed = parseLookup(input.value, currentMode(), idLookup);
  if (!parsed.ok) {
    lookupSeq++;
    clearOrder();
    setStatus('bad-input', parsed.message);
    input.focus();
    return;
  }
  void lookup(parsed.plan, { history: 'push' });
});

/** Shows whatever the address bar names (on load and on back/forward). */
function followAddress() {
  const from = typeof history.state?.from === 'string' ? history.state.from : null;
  const parsed = keyFromSearch(location.search, idLookup);
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
  const saved = history.state?.mode;
  if (parsed.key.kind !== 'customer') input.value = parsed.key.value;
  setMode(modeShowing(isLookupMode(saved) ? saved : currentMode(), parsed.key));
  void lookup({ keys: [parsed.key] }, { history: 'none', from });
}

window.addEventListener('popstate', followAddress);

// ---- Newest orders ------------------------------------------------------------------------------

function markCurrent() {
  for (const link of recentList.querySelectorAll('a[data-uid]')) {
    if (link.getAttribute('data-uid') === shownUid) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

/**
 * The link a plain click landed on, if it carries `attribute`: modified clicks (new tab, new
 * window) are left to the browser.
 * @param {MouseEvent} event
 * @param {string} attribute
 */
function plainClick(event, attribute) {
  const target = event.target instanceof Element ? event.target.closest(`a[${attribute}]`) : null;
  const value = target?.getAttribute(attribute);
  if (!value || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return null;
  event.preventDefault();
  return value;
}

for (const links of [recentList, results.list]) {
  links.addEventListener('click', (event) => {
    const uid = plainClick(event, 'data-uid');
    if (uid !== null) showKey({ kind: 'uid', value: uid });
  });
}

orderView.addEventListener('click', (event) => {
  const customer = plainClick(event, 'data-customer');
  if (customer !== null) showKey({ kind: 'customer', value: customer }, shownUid);
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
startDeadLetters();
