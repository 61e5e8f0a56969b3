// The result list of a track number or a customer (GET /orders/search): newest first, a page at a
// time; "More" asks the next page with the `next` cursor of the last one and appends it. Entries
// are the newest-orders list's links (render.js), which the page opens in place.

import { fetchSearch } from './api.js';
import { byId, h } from './dom.js';
import { countOrders } from './lookup-outcome.js';
import { renderRecentItem, shown } from './render.js';

/**
 * @typedef {import('./lookup.js').LookupKey} LookupKey
 * @typedef {import('./api.js').RecentOrder} RecentOrder
 */

/** Orders per page: one screen of entries, well under the API's 100. */
export const RESULTS_PAGE = 20;

export function createResultsView() {
  const section = byId('results', HTMLElement);
  const title = byId('results-title', HTMLElement);
  const list = byId('results-list', HTMLOListElement);
  const state = byId('results-state', HTMLElement);
  const more = byId('results-more', HTMLButtonElement);

  /** @type {LookupKey | null} */
  let key = null;
  /** @type {string | null} */
  let next = null;
  let count = 0;
  /** @type {string | null} the order the list was opened from, marked in it */
  let current = null;
  // Each show() takes a number; a page that arrives after a newer show() (or clear) is dropped.
  let seq = 0;

  function describe() {
    if (key === null) return;
    const all = next === null ? 'all of them' : 'older ones follow';
    state.textContent =
      count === 0 ? 'No orders.' : `${countOrders(count, false)} shown, newest first: ${all}.`;
    more.hidden = next === null;
  }

  /** @param {RecentOrder[]} orders */
  function append(orders) {
    const items = [];
    for (const order of orders) {
      const item = renderRecentItem(order);
      if (item === null) continue;
      const link = item.querySelector('a');
      if (link !== null && order.order_uid === current) {
        link.setAttribute('aria-current', 'true');
        link.append(h('span', { className: 'results-this' }, 'this order'));
      }
      items.push(item);
    }
    list.append(...items);
    count += items.length;
    return items;
  }

  more.addEventListener('click', async () => {
    if (key === null || next === null) return;
    const asked = seq;
    const hadFocus = document.activeElement === more;
    more.disabled = true;
    more.textContent = 'Loading…';
    const page = await fetchSearch(key, { limit: RESULTS_PAGE, cursor: next });
    if (asked !== seq) return;
    more.disabled = false;
    more.textContent = 'More';
    if (page.kind !== 'list') {
      state.textContent = `Could not load more: ${page.message}`;
      return;
    }
    next = page.next;
    const added = append(page.orders);
    describe();
    // A keyboard user goes on reading where the new entries start, not back at the top.
    if (hadFocus || more.hidden) added[0]?.querySelector('a')?.focus();
  });

  return {
    /**
     * Shows a list's first page.
     * @param {LookupKey} listKey
     * @param {RecentOrder[]} orders
     * @param {string | null} cursor the page's `next`
     * @param {string | null} from the uid of the order the list was opened from
     */
    show(listKey, orders, cursor, from) {
      seq++;
      key = listKey;
      next = cursor;
      count = 0;
      current = from;
      // The value as an identifier in its own <bdi>, hidden characters as markers.
      const by = listKey.kind === 'customer' ? 'of customer' : 'with track number';
      title.replaceChildren(
        `Orders ${by} `,
        h('span', { className: 'mono' }, shown(listKey.value, true)),
      );
      list.replaceChildren();
      append(orders);
      more.disabled = false;
      more.textContent = 'More';
      describe();
      section.hidden = false;
    },
    clear() {
      seq++;
      key = null;
      next = null;
      section.hidden = true;
      list.replaceChildren();
      title.replaceChildren();
      state.textContent = '';
    },
    focus() {
      title.focus();
    },
    /** The list's entries, for the page's click handling. */
    list,
  };
}
