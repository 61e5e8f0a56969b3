// Builds the dead-letters view's pieces from the admin API's JSON. A letter's every byte is
// hostile (it never passed validation): all of it reaches the DOM as text through h() and
// shown() (isolated, hidden characters as markers), a value that is not UTF-8 only as hex.

import { base64Bytes, hexDump } from './bytes.js';
import { h } from './dom.js';
import { formatBytes, formatIsoDate, formatNumber } from './format.js';
import { describeHidden, hiddenMarker, splitHidden } from './hidden-chars.js';
import { mapJson, pieces, problemSpans } from './json-paths.js';
import { shown } from './render.js';

/**
 * @typedef {import('./admin-api.js').Problem} Problem
 * @typedef {Record<string, unknown>} Json
 */

/** Strings of strings only; isolating every one of a huge value would cost more than it shows. */
const MAX_ISOLATED_STRINGS = 20_000;
const HEX_BYTES = 4096;

/** @param {unknown} value @returns {Json} */
export function obj(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? /** @type {Json} */ (value)
    : {};
}

/** @param {unknown} value @returns {string} */
const str = (value) => (typeof value === 'string' ? value : '');

/**
 * The problems of a letter (or a 422) as the API sends them, whatever it held.
 * @param {unknown} value
 * @returns {Problem[]}
 */
export function problemsOf(value) {
  if (!Array.isArray(value)) return [];
  return value.map((p) => ({
    path: str(obj(p).path),
    code: str(obj(p).code),
    message: str(obj(p).message),
  }));
}

/** @param {unknown} iso */
function time(iso) {
  const { text, datetime } = formatIsoDate(iso);
  return datetime === null ? shown(text) : h('time', { attrs: { datetime } }, text);
}

/**
 * The summary's hours in one line: letters in the window and its busiest hour.
 * @param {unknown} perHour `[{ hour, count }]`, oldest first
 * @param {string} [locale]
 */
export function hoursLine(perHour, locale) {
  const hours = (Array.isArray(perHour) ? perHour : [])
    .map(obj)
    .filter((h) => typeof h.count === 'number' && typeof h.hour === 'string');
  if (hours.length === 0) return '';
  let total = 0;
  let peak = /** @type {Json | null} */ (null);
  for (const hour of hours) {
    total += Number(hour.count);
    if (Number(hour.count) > 0 && (peak === null || Number(hour.count) > Number(peak.count)))
      peak = hour;
  }
  const busiest =
    peak === null
      ? ''
      : `; busiest hour ${formatIsoDate(peak.hour, locale).text}: ${formatNumber(peak.count, locale)}`;
  return `Last ${hours.length} h: ${formatNumber(total, locale)}${busiest}.`;
}

/**
 * The summary: total and one row per reason, each a button that filters the list by it.
 * @param {Json} summary
 * @param {(reason: string) => void} pick
 */
export function renderSummary(summary, pick) {
  const byReason = Object.entries(obj(summary.by_reason)).filter(
    ([, count]) => typeof count === 'number',
  );
  const rows = byReason.map(([reason, count]) => {
    const button = h(
      'button',
      {
        className: 'secondary dl-reason',
        attrs: { type: 'button', 'data-reason': reason, 'aria-label': `Show ${reason} letters` },
      },
      shown(reason, true),
    );
    button.addEventListener('click', () => pick(reason));
    return h(
      'tr',
      {},
      h('th', { className: 'dl-reason-cell', attrs: { scope: 'row' } }, button),
      h('td', { className: 'dl-count' }, formatNumber(count)),
    );
  });
  return [
    h('p', { className: 'dl-total' }, 'Total: ', h('strong', {}, formatNumber(summary.total))),
    h('p', { className: 'hint dl-hours' }, hoursLine(summary.per_hour)),
    h(
      'table',
      { className: 'dl-summary-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'col' } }, 'Reason'),
          h('th', { attrs: { scope: 'col' } }, 'Letters'),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
  ];
}

/**
 * One letter of the list: a button opening it.
 * @param {Json} letter
 * @param {(id: number) => void} open
 */
export function renderListItem(letter, open) {
  const id = typeof letter.id === 'number' ? letter.id : null;
  if (id === null) return null;
  const [first] = problemsOf(letter.problems);
  const button = h(
    'button',
    { className: 'dl-item', attrs: { type: 'button', 'data-id': String(id) } },
    h(
      'span',
      { className: 'dl-item-head' },
      h('span', { className: 'mono' }, `#${id}`),
      ' ',
      shown(str(letter.reason), true),
    ),
    h(
      'span',
      { className: 'dl-item-uid mono' },
      letter.uid === null ? 'no uid' : shown(str(letter.uid), true),
    ),
    first === undefined
      ? null
      : h(
          'span',
          { className: 'dl-item-problem' },
          shown(first.path || 'value', true),
          ': ',
          shown(first.message),
        ),
    h(
      'span',
      { className: 'dl-item-meta' },
      time(letter.stored_at),
      ' · ',
      formatBytes(letter.size),
    ),
  );
  button.addEventListener('click', () => open(id));
  return h('li', {}, button);
}

/**
 * Text as drawn in the raw view: hidden characters as markers (as identifiers: JSON is not prose).
 * @param {string} text
 * @returns {Array<Node | string>}
 */
function rawText(text) {
  return splitHidden(text, { identifier: true }).map((part) =>
    typeof part === 'string'
      ? part
      : h(
          'span',
          { className: 'hidden-char', attrs: { title: describeHidden(part) } },
          hiddenMarker(part),
        ),
  );
}

/**
 * A raw JSON text with each problem marked where its path is (json-paths.js), strings isolated.
 * @param {string} text
 * @param {Problem[]} problems
 * @param {string} idPrefix ids of the marks: `${idPrefix}-${problem}` on each problem's first
 * @returns {{ pre: HTMLElement, marked: Map<number, { id: string, exact: boolean }> }}
 */
export function renderMarkedText(text, problems, idPrefix) {
  const map = mapJson(text);
  const spans = problemSpans(map, problems, text.length);
  const strings = map.strings.length <= MAX_ISOLATED_STRINGS ? map.strings : [];
  /** @type {Map<number, { id: string, exact: boolean }>} */
  const marked = new Map();
  const nodes = pieces(text.length, spans, strings).map((piece) => {
    /** @type {Node | HTMLElement} */
    let node = h('span', {}, ...rawText(text.slice(piece.start, piece.end)));
    if (piece.inString) node = h('span', { className: 'json-string', attrs: { dir: 'ltr' } }, node);
    if (piece.problems.length === 0) return node;
    const mark = h(
      'mark',
      {
        className: 'problem-mark',
        attrs: { 'data-problems': piece.problems.map((p) => p + 1).join(' ') },
      },
      node,
    );
    for (const p of piece.problems) {
      if (marked.has(p)) continue;
      const span = spans.find((s) => s.problem === p);
      const id = `${idPrefix}-${p}`;
      mark.id = mark.id || id;
      marked.set(p, { id: mark.id, exact: span?.exact ?? false });
    }
    return mark;
  });
  const pre = h(
    'pre',
    { className: 'raw-json dl-raw', attrs: { dir: 'ltr', tabindex: '0' } },
    h('code', {}, ...nodes),
  );
  return { pre, marked };
}

/**
 * The problems as a list; each marked one links to its place in the text.
 * @param {Problem[]} problems
 * @param {Map<number, { id: string, exact: boolean }>} marked
 */
export function renderProblems(problems, marked) {
  return h(
    'ol',
    { className: 'dl-problems' },
    ...problems.map((problem, i) => {
      const mark = marked.get(i);
      const where =
        mark === undefined
          ? null
          : h(
              'a',
              { className: 'dl-goto', attrs: { href: `#${mark.id}`, 'data-mark': mark.id } },
              mark.exact ? 'show in value' : 'show where (not in the value)',
            );
      return h(
        'li',
        { attrs: { 'data-code': problem.code } },
        h(
          'span',
          { className: 'mono' },
          problem.path === '' ? '(the whole value)' : shown(problem.path, true),
        ),
        ' ',
        h('span', { className: 'dl-code' }, shown(problem.code, true)),
        ': ',
        shown(problem.message),
        where === null ? null : ' ',
        where,
      );
    }),
  );
}

/**
 * The value: marked text when it is UTF-8, a hex dump when not, a note when there is none.
 * @param {Json} letter
 * @param {Problem[]} problems
 */
function renderValue(letter, problems) {
  const notes = [];
  if (letter.truncated === true) {
    notes.push(
      h(
        'p',
        { className: 'note' },
        `The ledger kept only the first bytes of this value (${formatBytes(letter.size)} in all): it is cut short.`,
      ),
    );
  }
  if (typeof letter.value === 'string') {
    const { pre, marked } = renderMarkedText(
      letter.value,
      problems,
      `dl-mark-${String(letter.id)}`,
    );
    return { nodes: [...notes, pre], marked };
  }
  const base64 = str(letter.value_base64);
  if (base64 === '') {
    return {
      nodes: [...notes, h('p', { className: 'note' }, 'No value: the message was a tombstone.')],
      marked: new Map(),
    };
  }
  const bytes = base64Bytes(base64) ?? new Uint8Array();
  const dump = hexDump(bytes, HEX_BYTES);
  notes.push(
    h(
      'p',
      { className: 'note dl-binary-note' },
      `The value is not valid UTF-8, so it is shown as bytes (hex${dump.shown < bytes.length ? `, the first ${formatNumber(dump.shown)} of ${formatNumber(bytes.length)}` : ''}) and as base64; its problems cannot be placed in it.`,
    ),
  );
  return {
    nodes: [
      ...notes,
      h(
        'pre',
        { className: 'raw-json dl-hex', attrs: { dir: 'ltr', tabindex: '0' } },
        dump.lines.join('\n'),
      ),
      h(
        'details',
        {},
        h('summary', {}, 'Base64'),
        h('pre', { className: 'raw-json dl-base64', attrs: { dir: 'ltr' } }, base64),
      ),
    ],
    marked: new Map(),
  };
}

/** @param {unknown} key */
function keyText(key) {
  if (key === null) return 'none';
  if (typeof key === 'string') return shown(key, true);
  return h(
    'span',
    {},
    'not UTF-8, base64 ',
    h('span', { className: 'mono' }, str(obj(key).base64)),
  );
}

/** @param {unknown} wouldPass */
function wouldPassText(wouldPass) {
  if (wouldPass === true) return h('span', { className: 'dl-pass' }, 'yes: it would be stored now');
  const problems = problemsOf(wouldPass);
  if (problems.length === 0) return 'unknown';
  return h(
    'span',
    { className: 'dl-fail' },
    `no: ${problems.length} problem${problems.length === 1 ? '' : 's'} with today's rules`,
  );
}

/**
 * A letter's redrives (LetterRedrive): per run, what became of it.
 * @param {unknown} redrives
 */
export function redrivesText(redrives) {
  if (!Array.isArray(redrives) || redrives.length === 0) return 'never';
  return redrives
    .map((r) => {
      const o = obj(r);
      const outcome =
        o.outcome === 'dead_lettered'
          ? `dead-lettered again${typeof o.letter === 'number' ? ` as #${o.letter}` : ''}`
          : o.outcome === 'stored' || o.outcome === 'superseded'
            ? String(o.outcome)
            : o.state === 'skipped'
              ? `skipped (${str(o.skipped).replaceAll('_', ' ') || 'no reason'})`
              : o.state === 'sent'
                ? 'sent, awaiting ingest'
                : str(o.state) || 'pending';
      return `run ${String(o.run)}: ${outcome}`;
    })
    .join('; ');
}

/**
 * One letter: what it is, its problems linked to their places in the raw value, the value.
 * @param {Json} letter
 * @returns {Node[]}
 */
export function renderLetter(letter) {
  const problems = problemsOf(letter.problems);
  const source = obj(letter.source);
  const { nodes, marked } = renderValue(letter, problems);
  /** @type {Array<[string, Node | string]>} */
  const rows = [
    ['Reason', shown(str(letter.reason), true)],
    ['Order uid', letter.uid === null ? 'not readable' : shown(str(letter.uid), true)],
    [
      'Source',
      shown(
        `${str(source.topic)} / partition ${String(source.partition)} / offset ${str(source.offset)}`,
        true,
      ),
    ],
    ['Key', keyText(letter.key)],
    ['Size', formatBytes(letter.size)],
    ['Stored at', time(letter.stored_at)],
    ['Would pass now', wouldPassText(letter.would_pass_now)],
    ['Redriven', redrivesText(letter.redrives)],
  ];
  return [
    h(
      'h3',
      { attrs: { id: 'dl-letter-title', tabindex: '-1' } },
      `Dead letter #${String(letter.id)}`,
    ),
    h(
      'dl',
      { className: 'fields' },
      ...rows.map(([label, value]) =>
        h('div', { className: 'field' }, h('dt', {}, label), h('dd', {}, value)),
      ),
    ),
    h('h4', {}, `Problems (${problems.length})`),
    renderProblems(problems, marked),
    h('h4', {}, 'Value'),
    ...nodes,
  ];
}
