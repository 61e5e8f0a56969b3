// Builds the order view and the recent-orders entries from untrusted JSON. Every value reaches the
// DOM through h() as text; attribute values are either constants or built by the page itself.
// Every text that comes from an order goes through shown(): it is isolated in its own <bdi>, so
// its direction cannot spill onto what surrounds it, and its hidden characters (bidi controls,
// zero-width, controls: hidden-chars.js) are drawn as markers, so `evil\u202Egnp.exe` reads
// `evil⟨U+202E⟩gnp.exe`, not `evilexe.png`.

import { h } from './dom.js';
import { formatAmount, formatEpochSeconds, formatIsoDate, formatNumber, text } from './format.js';
import { describeHidden, hiddenMarker, jsonText, jsonTokens, splitHidden } from './hidden-chars.js';
import { pageSearch } from './lookup.js';

/**
 * @typedef {Record<string, unknown>} Json
 * @typedef {import('./api.js').RecentOrder} RecentOrder
 * @typedef {{ label: string, value: Node | string, mono?: boolean }} Field
 *   a string value is text from the order (shown() isolates it); `mono`: an identifier
 */

/**
 * The marker drawn instead of a hidden character. Isolated left-to-right, so `⟨U+202E⟩` reads the
 * same inside right-to-left text; the tooltip names the character.
 * @param {number} codePoint
 */
export function hiddenChar(codePoint) {
  return h(
    'span',
    { className: 'hidden-char', attrs: { dir: 'ltr', title: describeHidden(codePoint) } },
    hiddenMarker(codePoint),
  );
}

/**
 * Text from the order, ready for the DOM: in a <bdi> (its own direction, from its first strong
 * character, and no effect on its neighbours), hidden characters drawn as markers.
 * @param {string} value
 * @param {boolean} [identifier] an id (uid, track number, phone…), where joiners and variation
 *   selectors are hidden characters too
 * @returns {HTMLElement}
 */
export function shown(value, identifier = false) {
  const parts = splitHidden(value, { identifier });
  return h('bdi', {}, ...parts.map((part) => (typeof part === 'string' ? part : hiddenChar(part))));
}

/**
 * Parts of one line, each shown() on its own, joined by ` · `.
 * @param {string[]} parts
 * @returns {Array<Node | string>}
 */
function joined(parts) {
  return parts.flatMap((part, i) => (i === 0 ? [shown(part)] : [' · ', shown(part)]));
}

/**
 * @param {unknown} value
 * @returns {Json}
 */
function obj(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? /** @type {Json} */ (value)
    : {};
}

/**
 * @param {{ text: string, datetime: string | null }} formatted
 * @returns {Node | string}
 */
function time(formatted) {
  if (formatted.datetime === null) return shown(formatted.text);
  return h('time', { attrs: { datetime: formatted.datetime } }, formatted.text);
}

/**
 * A definition list of label/value rows.
 * @param {Field[]} fields
 */
function fieldList(fields) {
  return h(
    'dl',
    { className: 'fields' },
    ...fields.map((field) =>
      h(
        'div',
        { className: 'field' },
        h('dt', {}, field.label),
        h(
          'dd',
          { className: field.mono ? 'mono' : '' },
          typeof field.value === 'string' ? shown(field.value, field.mono) : field.value,
        ),
      ),
    ),
  );
}

/**
 * @param {string} id
 * @param {string} title
 * @param {...(Node | string | null | false)} children
 */
function card(id, title, ...children) {
  return h(
    'section',
    { className: `card ${id.replace(/-title$/, '')}`, attrs: { 'aria-labelledby': id } },
    h('h3', { attrs: { id } }, title),
    ...children,
  );
}

/** @param {Json} order @param {string | null} id */
function summaryCard(order, id) {
  return card(
    'order-summary-title',
    'Summary',
    fieldList([
      { label: 'Order uid', value: text(order.order_uid), mono: true },
      { label: 'Id', value: text(id), mono: true },
      { label: 'Track number', value: text(order.track_number), mono: true },
      { label: 'Created', value: time(formatIsoDate(order.date_created)) },
      { label: 'Customer', value: text(order.customer_id), mono: true },
      { label: 'Locale', value: text(order.locale) },
      { label: 'Delivery service', value: text(order.delivery_service) },
      { label: 'Entry', value: text(order.entry) },
      { label: 'Shard key', value: text(order.shardkey) },
      { label: 'SM id', value: text(order.sm_id) },
      { label: 'OOF shard', value: text(order.oof_shard) },
      { label: 'Internal signature', value: text(order.internal_signature), mono: true },
    ]),
  );
}

/** @param {Json} order */
function deliveryCard(order) {
  const delivery = obj(order.delivery);
  return card(
    'order-delivery-title',
    'Delivery',
    fieldList([
      { label: 'Name', value: text(delivery.name) },
      { label: 'Phone', value: text(delivery.phone), mono: true },
      { label: 'Email', value: text(delivery.email) },
      { label: 'Address', value: text(delivery.address) },
      { label: 'City', value: text(delivery.city) },
      { label: 'Zip', value: text(delivery.zip), mono: true },
      { label: 'Region', value: text(delivery.region) },
    ]),
  );
}

/**
 * @param {unknown[]} values
 * @returns {number | null} the sum, or null if any value is not a finite number
 */
function sum(values) {
  let total = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return null;
    total += value;
  }
  return total;
}

/** @param {Json} order @param {unknown[]} items */
function paymentCard(order, items) {
  const payment = obj(order.payment);
  const currency = payment.currency;
  const money = (/** @type {unknown} */ value) => shown(formatAmount(value, currency));
  const rows = [
    ['Goods total', payment.goods_total],
    ['Delivery cost', payment.delivery_cost],
    ['Custom fee', payment.custom_fee],
  ];
  const totals = h(
    'table',
    { className: 'totals' },
    h('caption', { className: 'visually-hidden' }, 'Payment totals'),
    h(
      'tbody',
      {},
      ...rows.map(([label, value]) =>
        h('tr', {}, h('th', { attrs: { scope: 'row' } }, String(label)), h('td', {}, money(value))),
      ),
      h(
        'tr',
        { className: 'grand' },
        h('th', { attrs: { scope: 'row' } }, 'Amount'),
        h('td', {}, money(payment.amount)),
      ),
    ),
  );

  // The feed's totals are not checked by validation; a mismatch is worth pointing out, not hiding.
  const notes = [];
  const parts = sum([payment.goods_total, payment.delivery_cost, payment.custom_fee]);
  if (parts !== null && typeof payment.amount === 'number' && parts !== payment.amount) {
    notes.push(['Goods, delivery and fee add up to ', money(parts), ', not the amount.']);
  }
  const itemsTotal = sum(items.map((item) => obj(item).total_price));
  if (itemsTotal !== null && typeof payment.goods_total === 'number') {
    if (itemsTotal !== payment.goods_total) {
      notes.push(['Item totals add up to ', money(itemsTotal), ', not the goods total.']);
    }
  }

  return card(
    'order-payment-title',
    'Payment',
    fieldList([
      { label: 'Transaction', value: text(payment.transaction), mono: true },
      { label: 'Request id', value: text(payment.request_id), mono: true },
      { label: 'Provider', value: text(payment.provider) },
      { label: 'Bank', value: text(payment.bank) },
      { label: 'Currency', value: text(currency) },
      { label: 'Paid at', value: time(formatEpochSeconds(payment.payment_dt)) },
    ]),
    totals,
    ...notes.map((note) => h('p', { className: 'note' }, ...note)),
  );
}

/** @type {Array<{ key: string, label: string, kind: 'text' | 'mono' | 'money' | 'number' }>} */
const ITEM_COLUMNS = [
  { key: 'name', label: 'Name', kind: 'text' },
  { key: 'brand', label: 'Brand', kind: 'text' },
  { key: 'size', label: 'Size', kind: 'text' },
  { key: 'price', label: 'Price', kind: 'money' },
  { key: 'sale', label: 'Sale %', kind: 'number' },
  { key: 'total_price', label: 'Total', kind: 'money' },
  { key: 'nm_id', label: 'nm_id', kind: 'mono' },
  { key: 'chrt_id', label: 'chrt_id', kind: 'mono' },
  { key: 'rid', label: 'rid', kind: 'mono' },
  { key: 'status', label: 'Status', kind: 'number' },
];

/** @param {unknown[]} items @param {unknown} currency */
function itemsCard(items, currency) {
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      ...ITEM_COLUMNS.map((column) =>
        h('th', { attrs: { scope: 'col' }, className: column.kind }, column.label),
      ),
    ),
  );
  const body = h(
    'tbody',
    {},
    ...items.map((raw) => {
      const item = obj(raw);
      return h(
        'tr',
        {},
        ...ITEM_COLUMNS.map((column) => {
          const value = item[column.key];
          const cell =
            column.kind === 'money'
              ? formatAmount(value, currency)
              : column.kind === 'number'
                ? formatNumber(value)
                : text(value);
          // data-label feeds the CSS that turns rows into cards at phone width.
          return h(
            'td',
            { className: column.kind, attrs: { 'data-label': column.label } },
            shown(cell, column.kind === 'mono'),
          );
        }),
      );
    }),
  );
  const title = `Items (${items.length})`;
  return card(
    'order-items-title',
    title,
    items.length === 0
      ? h('p', { className: 'hint' }, 'This order has no items.')
      : h(
          'div',
          { className: 'table-wrap' },
          h(
            'table',
            { className: 'items' },
            h('caption', { className: 'visually-hidden' }, title),
            head,
            body,
          ),
        ),
  );
}

/**
 * Copies text to the clipboard, with the old selection-based way where the async API is missing
 * or refused (plain-HTTP origins other than localhost do not get navigator.clipboard).
 * @param {string} value
 * @returns {Promise<boolean>}
 */
async function copyText(value) {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(value);
      return true;
    }
  } catch {
    // Permission refused: try the fallback below.
  }
  const area = h('textarea', {
    className: 'offscreen',
    attrs: { readonly: '', 'aria-hidden': 'true' },
  });
  area.value = value;
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

/**
 * The order as indented JSON: each string isolated (a right-to-left key cannot trade places with
 * its value), hidden characters written as marked `\uXXXX` escapes. The text is JSON of the same
 * order, and it is what the copy button copies, so no bidi control travels with a paste either.
 * @param {Json} order
 */
function rawJson(order) {
  const tokens = jsonTokens(order);
  const nodes = tokens.map((token) =>
    token.kind === 'plain'
      ? token.text
      : h(
          'span',
          { className: 'json-string', attrs: { dir: 'ltr' } },
          ...token.parts.map((part) =>
            part.kind === 'text'
              ? part.text
              : h(
                  'span',
                  { className: 'hidden-char', attrs: { title: describeHidden(part.codePoint) } },
                  part.text,
                ),
          ),
        ),
  );
  return { text: jsonText(tokens), code: h('code', {}, ...nodes) };
}

/** @param {Json} order */
function rawCard(order) {
  const { text: pretty, code } = rawJson(order);
  const pre = h('pre', { className: 'raw-json', attrs: { id: 'raw-json', tabindex: '0' } }, code);
  pre.hidden = true;
  const toggle = h(
    'button',
    {
      className: 'secondary',
      attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'raw-json' },
    },
    'Show raw JSON',
  );
  const copy = h('button', { className: 'secondary', attrs: { type: 'button' } }, 'Copy JSON');
  const copyState = h('span', {
    className: 'copy-state',
    attrs: { role: 'status', 'aria-live': 'polite' },
  });

  toggle.addEventListener('click', () => {
    pre.hidden = !pre.hidden;
    toggle.setAttribute('aria-expanded', String(!pre.hidden));
    toggle.textContent = pre.hidden ? 'Show raw JSON' : 'Hide raw JSON';
  });
  copy.addEventListener('click', async () => {
    const copied = await copyText(pretty);
    copyState.textContent = copied
      ? 'Copied.'
      : 'Copy failed: select the text and copy it by hand.';
    if (!copied && pre.hidden) toggle.click();
  });

  return card(
    'order-raw-title',
    'Raw JSON',
    h('div', { className: 'actions' }, toggle, copy, copyState),
    pre,
  );
}

/**
 * A link to the customer's orders (a search by customer_id), which the page opens in place. The
 * link's text is fixed; the customer id travels only in the address and a data attribute.
 * @param {unknown} customer
 */
function customerLink(customer) {
  if (typeof customer !== 'string' || customer === '') return null;
  const key = /** @type {const} */ ({ kind: 'customer', value: customer });
  return h(
    'p',
    { className: 'order-links' },
    h(
      'a',
      { attrs: { id: 'customer-orders', href: `/${pageSearch(key)}`, 'data-customer': customer } },
      'Customer’s orders',
    ),
  );
}

/**
 * The whole order view.
 * @param {Json} order
 * @param {string | null} id the numeric id from the x-order-id header
 * @returns {Node[]}
 */
export function renderOrder(order, id) {
  const items = Array.isArray(order.items) ? order.items : [];
  const payment = obj(order.payment);
  const created = formatIsoDate(order.date_created);
  return [
    h(
      'header',
      { className: 'order-head' },
      h(
        'h2',
        { attrs: { id: 'order-title', tabindex: '-1' } },
        'Order ',
        h('span', { className: 'mono' }, shown(text(order.order_uid), true)),
      ),
      h(
        'p',
        { className: 'order-sub' },
        ...joined([
          ...(id === null ? [] : [`#${id}`]),
          created.text,
          formatAmount(payment.amount, payment.currency),
        ]),
      ),
      customerLink(order.customer_id),
    ),
    h(
      'div',
      { className: 'order-grid' },
      summaryCard(order, id),
      deliveryCard(order),
      paymentCard(order, items),
    ),
    itemsCard(items, payment.currency),
    rawCard(order),
  ];
}

/**
 * One entry of the newest-orders list: a real link (shareable, opens in a new tab), which the
 * page intercepts for an in-place lookup.
 * @param {RecentOrder} order
 * @returns {HTMLLIElement | null} null when the entry has no uid to link to
 */
export function renderRecentItem(order) {
  if (typeof order.order_uid !== 'string' || order.order_uid === '') return null;
  const key = /** @type {const} */ ({ kind: 'uid', value: order.order_uid });
  const items = Array.isArray(order.items)
    ? order.items.length
    : typeof order.items === 'number'
      ? order.items
      : null;
  const meta = [
    typeof order.id === 'number' || typeof order.id === 'string' ? `#${order.id}` : null,
    formatIsoDate(order.date_created).text,
    formatAmount(order.amount, order.currency),
    items === null ? null : `${items} item${items === 1 ? '' : 's'}`,
  ].filter((part) => part !== null);
  const link = h(
    'a',
    {
      className: 'recent-link',
      attrs: { href: `/${pageSearch(key)}`, 'data-uid': order.order_uid },
    },
    h('span', { className: 'mono recent-uid' }, shown(order.order_uid, true)),
    h('span', { className: 'recent-meta' }, ...joined(meta)),
  );
  return h('li', {}, link);
}
