// The "Dead letters" view (`/#dead-letters`, `/#dead-letters/<id>` for one letter): the token
// form, the summary, the filtered list with cursor paging, and the selection's actions. API calls
// live in admin-api.js, the letter's rendering in letter-render.js, its actions in
// letter-actions.js.

import { createAdminApi, tabToken } from './admin-api.js';
import { byId, h } from './dom.js';
import { revealHidden } from './hidden-chars.js';
import { createLetterActions } from './letter-actions.js';
import { obj, renderLetter, renderListItem, renderSummary } from './letter-render.js';

/** @typedef {import('./admin-api.js').AdminResult} AdminResult */

const PAGE_SIZE = 20;
const HASH = '#dead-letters';
const FILTER_FIELDS = /** @type {const} */ (['reason', 'problem', 'uid', 'since', 'until']);

export function startDeadLetters() {
  const ordersView = byId('orders-view', HTMLElement);
  const view = byId('dl-view', HTMLElement);
  const state = byId('dl-state', HTMLElement);
  const tokenForm = byId('dl-token-form', HTMLFormElement);
  const tokenInput = byId('dl-token-input', HTMLInputElement);
  const forget = byId('dl-forget', HTMLButtonElement);
  const content = byId('dl-content', HTMLElement);
  const summaryBox = byId('dl-summary', HTMLElement);
  const filterForm = byId('dl-filter', HTMLFormElement);
  const items = byId('dl-items', HTMLOListElement);
  const listState = byId('dl-list-state', HTMLElement);
  const newer = byId('dl-newer', HTMLButtonElement);
  const older = byId('dl-older', HTMLButtonElement);
  const pageLabel = byId('dl-page', HTMLElement);
  const letterCard = byId('dl-letter', HTMLElement);
  const letterBody = byId('dl-letter-body', HTMLElement);

  const token = tabToken();
  const api = createAdminApi(() => token.read());
  const actions = createLetterActions({ api, onAuth: (result) => settle(result) });

  /** @type {'closed' | 'asking' | 'off' | 'open'} */
  let mode = 'closed';
  /** @type {Record<string, string>} the filter of the list on screen, as query parameters */
  let filter = {};
  /** @type {(string | null)[]} the cursor of each page seen; the first page has none */
  let cursors = [null];
  let pageIndex = 0;
  let listSeq = 0;
  let letterSeq = 0;

  /**
   * @param {'idle' | 'loading' | 'found' | 'not-found' | 'bad-input' | 'unreachable' | 'error'} kind
   * @param {string} message
   */
  function setState(kind, message) {
    state.dataset.state = kind;
    state.textContent = revealHidden(message);
  }

  /**
   * What every call's failure means for the view. True when the result is usable.
   * @param {AdminResult} result
   * @returns {result is Extract<AdminResult, { kind: 'ok' }>}
   */
  function settle(result) {
    if (result.kind === 'ok') return true;
    if (result.kind === 'unauthorized') {
      const had = token.read() !== null;
      token.forget();
      askToken(
        had
          ? 'The token was refused (wrong, or no longer configured). Enter it again.'
          : 'Enter an admin token to see the dead letters.',
        had ? 'bad-input' : 'idle',
      );
    } else if (result.kind === 'off') {
      mode = 'off';
      tokenForm.hidden = true;
      content.hidden = true;
      forget.hidden = true;
      setState(
        'not-found',
        'The admin API is not enabled on this server (it is off until ADMIN_TOKENS is set), so dead letters cannot be shown here.',
      );
    } else if (result.kind === 'not_found' || result.kind === 'refused') {
      setState('bad-input', result.message);
    } else {
      setState(result.kind === 'unreachable' ? 'unreachable' : 'error', result.message);
    }
    return false;
  }

  /**
   * @param {string} message
   * @param {'idle' | 'bad-input'} kind
   */
  function askToken(message, kind) {
    mode = 'asking';
    content.hidden = true;
    forget.hidden = true;
    tokenForm.hidden = false;
    setState(kind, message);
    tokenInput.focus();
  }

  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const secret = tokenInput.value.trim();
    tokenInput.value = '';
    if (secret === '') {
      askToken('Enter an admin token.', 'bad-input');
      return;
    }
    token.save(secret);
    void load();
  });

  forget.addEventListener('click', () => {
    token.forget();
    askToken('Token forgotten. Enter one to see the dead letters again.', 'idle');
  });

  /** Fills a select with the keys of counts the API gave (every reason or code, 0 included). */
  function fillSelect(/** @type {string} */ name, /** @type {unknown} */ counts) {
    const select = filterForm.elements.namedItem(name);
    if (!(select instanceof HTMLSelectElement)) return;
    const chosen = select.value;
    const options = Object.keys(obj(counts)).map((key) =>
      h('option', { attrs: { value: key } }, key),
    );
    select.replaceChildren(h('option', { attrs: { value: '' } }, 'any'), ...options);
    select.value = chosen;
  }

  async function load() {
    setState('loading', 'Loading dead letters…');
    const result = await api.summary();
    if (!settle(result)) return;
    mode = 'open';
    tokenForm.hidden = true;
    content.hidden = false;
    forget.hidden = token.read() === null;
    setState('idle', '');
    summaryBox.replaceChildren(...renderSummary(result.body, pickReason));
    fillSelect('reason', result.body.by_reason);
    fillSelect('problem', result.body.by_problem);
    await loadList();
    const id = letterInHash();
    if (id !== null) void openLetter(id, false);
  }

  /** @param {string} reason */
  function pickReason(reason) {
    const select = filterForm.elements.namedItem('reason');
    if (select instanceof HTMLSelectElement) select.value = reason;
    filterForm.requestSubmit();
  }

  /** The form's filter as query parameters; a date-time is read in the browser's zone. */
  function readFilter() {
    const data = new FormData(filterForm);
    /** @type {Record<string, string>} */
    const out = {};
    for (const name of FILTER_FIELDS) {
      const raw = String(data.get(name) ?? '').trim();
      if (raw === '') continue;
      if (name === 'since' || name === 'until') {
        const date = new Date(raw);
        out[name] = Number.isNaN(date.getTime()) ? raw : date.toISOString();
      } else out[name] = raw;
    }
    return out;
  }

  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = readFilter();
    cursors = [null];
    pageIndex = 0;
    actions.filterChanged(filter);
    void loadList();
  });
  filterForm.addEventListener('reset', () => {
    // after the browser has cleared the fields
    setTimeout(() => filterForm.requestSubmit());
  });

  async function loadList() {
    const seq = ++listSeq;
    const query = new URLSearchParams({ ...filter, limit: String(PAGE_SIZE) });
    const cursor = cursors[pageIndex];
    if (cursor) query.set('cursor', cursor);
    listState.textContent = 'Loading…';
    items.setAttribute('aria-busy', 'true');
    const result = await api.list(query);
    if (seq !== listSeq) return;
    items.removeAttribute('aria-busy');
    if (!settle(result)) {
      listState.textContent = '';
      return;
    }
    const letters = Array.isArray(result.body.items) ? result.body.items : [];
    const next = typeof result.body.next === 'string' ? result.body.next : null;
    cursors = cursors.slice(0, pageIndex + 1);
    if (next !== null) cursors.push(next);
    const rendered = letters.map((letter) =>
      renderListItem(obj(letter), (id) => void openLetter(id, true)),
    );
    items.replaceChildren(...rendered.filter((item) => item !== null));
    listState.textContent = letters.length === 0 ? 'No dead letters match.' : '';
    pageLabel.textContent = `Page ${pageIndex + 1}`;
    newer.disabled = pageIndex === 0;
    older.disabled = next === null;
    markCurrent();
  }

  newer.addEventListener('click', () => {
    if (pageIndex === 0) return;
    pageIndex--;
    void loadList();
  });
  older.addEventListener('click', () => {
    if (cursors[pageIndex + 1] === undefined) return;
    pageIndex++;
    void loadList();
  });

  /** @type {number | null} */
  let shownId = null;

  function markCurrent() {
    for (const button of items.querySelectorAll('button[data-id]')) {
      if (button.getAttribute('data-id') === String(shownId))
        button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  }

  /**
   * @param {number} id
   * @param {boolean} focus
   */
  async function openLetter(id, focus) {
    const seq = ++letterSeq;
    setState('loading', `Loading dead letter #${id}…`);
    const result = await api.letter(id);
    if (seq !== letterSeq) return;
    if (!settle(result)) return;
    setState('idle', '');
    shownId = id;
    history.replaceState(history.state, '', `${location.pathname}${location.search}${HASH}/${id}`);
    letterBody.replaceChildren(...renderLetter(result.body));
    actions.show(result.body);
    letterCard.hidden = false;
    markCurrent();
    if (focus) document.getElementById('dl-letter-title')?.focus();
  }

  // "show in value": focus the mark without touching the address (a fragment would leave the view)
  letterCard.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-mark]') : null;
    const target = link ? document.getElementById(link.getAttribute('data-mark') ?? '') : null;
    if (!target) return;
    event.preventDefault();
    target.setAttribute('tabindex', '-1');
    target.focus();
    target.scrollIntoView({ block: 'center' });
  });

  /** @returns {number | null} */
  function letterInHash() {
    const match = /^#dead-letters\/([1-9]\d{0,15})$/.exec(location.hash);
    return match ? Number(match[1]) : null;
  }

  const inView = () => location.hash === HASH || location.hash.startsWith(`${HASH}/`);

  function follow() {
    const showing = inView();
    view.hidden = !showing;
    ordersView.hidden = showing;
    if (!showing) return;
    document.title = 'Dead letters · Orders';
    if (mode === 'closed') {
      void load();
      return;
    }
    const id = letterInHash();
    if (mode === 'open' && id !== null && id !== shownId) void openLetter(id, false);
  }

  window.addEventListener('hashchange', follow);
  follow();
}
