// Characters in order text that draw nothing, or that move the characters around them. Shown as
// they are, a right-to-left override makes `evil\u202Egnp.exe` read `evilexe.png`, a zero-width
// space makes two different track numbers look the same, and a C0 control hides in plain sight.
// The page never draws them: each one becomes a visible marker naming its code point
// (`⟨U+202E⟩`), and the raw JSON view writes it as the JSON escape (`\u202e`), which is the same
// JSON. The data itself is never changed. Pure functions, unit-tested without a browser
// (hidden-chars.test.js); render.js turns the parts into DOM.
//
// What counts as hidden:
// - every bidirectional control: U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069;
// - C0 and C1 controls and DEL (\p{Cc}), lone surrogates (\p{Cs});
// - format characters (\p{Cf}: zero-width space, word joiner, U+FEFF, soft hyphen, tag
//   characters, …) and every other Default_Ignorable_Code_Point (Hangul fillers, …);
// - the line and paragraph separators U+2028/U+2029 (a paragraph separator ends bidi embeddings).
// In prose (names, addresses, brands) the characters that join or select the form of a visible
// neighbour are drawn as they are: ZWNJ/ZWJ (Persian and Indic spelling, emoji sequences such as
// 👩‍💻) and the variation selectors (emoji and CJK forms, Mongolian free variation selectors). In
// identifiers (uids, track numbers, phone, ids: the fields shown in monospace) they are hidden
// characters like the rest, since there an invisible difference is a different value.

const HIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

/**
 * ZWNJ, ZWJ and the variation selectors (Mongolian FVS1–4, VS1–16, VS17–256): they shape the
 * visible character next to them.
 * @param {number} codePoint
 */
function shapesNeighbour(codePoint) {
  return (
    codePoint === 0x200c ||
    codePoint === 0x200d ||
    (codePoint >= 0x180b && codePoint <= 0x180f && codePoint !== 0x180e) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    (codePoint >= 0xe0100 && codePoint <= 0xe01ef)
  );
}

/** Names of the hidden characters a person is most likely to meet (for the marker's tooltip). */
const NAMES = new Map([
  [0x061c, 'ARABIC LETTER MARK'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0x200b, 'ZERO WIDTH SPACE'],
  [0x200c, 'ZERO WIDTH NON-JOINER'],
  [0x200d, 'ZERO WIDTH JOINER'],
  [0x2060, 'WORD JOINER'],
  [0xfeff, 'ZERO WIDTH NO-BREAK SPACE (BOM)'],
  [0x00ad, 'SOFT HYPHEN'],
  [0x2028, 'LINE SEPARATOR'],
  [0x2029, 'PARAGRAPH SEPARATOR'],
  [0x0009, 'CHARACTER TABULATION'],
  [0x000a, 'LINE FEED'],
  [0x000d, 'CARRIAGE RETURN'],
  [0x001b, 'ESCAPE'],
  [0x007f, 'DELETE'],
]);

/**
 * @typedef {{ identifier?: boolean }} HiddenOptions `identifier`: the text is an id, not prose, so
 *   joiners and variation selectors are hidden characters too
 */

/**
 * @param {number} codePoint
 * @param {HiddenOptions} [options]
 * @returns {boolean} whether the page shows a marker instead of the character
 */
export function isHidden(codePoint, options = {}) {
  if (!HIDDEN.test(String.fromCodePoint(codePoint))) return false;
  return options.identifier === true || !shapesNeighbour(codePoint);
}

/**
 * The text cut into the runs drawn as they are (strings) and the hidden characters between them
 * (code points, as numbers). Joining the strings with String.fromCodePoint of the numbers gives the
 * text back.
 * @param {string} text
 * @param {HiddenOptions} [options]
 * @returns {Array<string | number>}
 */
export function splitHidden(text, options = {}) {
  /** @type {Array<string | number>} */
  const parts = [];
  let at = 0;
  // One regexp pass (an order's text can be large); with the u flag a lone surrogate matches alone.
  for (const match of text.matchAll(HIDDEN_ALL)) {
    const codePoint = /** @type {number} */ (match[0].codePointAt(0));
    if (options.identifier !== true && shapesNeighbour(codePoint)) continue;
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push(codePoint);
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}

/**
 * @param {number} codePoint
 * @returns {string} `U+202E`
 */
export function codePointLabel(codePoint) {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The marker drawn in place of a hidden character: `⟨U+202E⟩`.
 * @param {number} codePoint
 */
export function hiddenMarker(codePoint) {
  return `⟨${codePointLabel(codePoint)}⟩`;
}

/**
 * What the marker's tooltip says: `U+202E RIGHT-TO-LEFT OVERRIDE`.
 * @param {number} codePoint
 */
export function describeHidden(codePoint) {
  const name = NAMES.get(codePoint);
  return `${codePointLabel(codePoint)} ${name ?? 'invisible or control character'}`;
}

/**
 * The text with each hidden character replaced by its marker, for places that take a plain
 * string (the status line, the document title).
 * @param {string} text
 * @param {HiddenOptions} [options]
 */
export function revealHidden(text, options = {}) {
  return splitHidden(text, options)
    .map((part) => (typeof part === 'string' ? part : hiddenMarker(part)))
    .join('');
}

/**
 * @typedef {{ kind: 'text', text: string } | { kind: 'escape', text: string, codePoint: number }} JsonStringPart
 *   `escape`: a `\uXXXX` escape (two for a character beyond U+FFFF) that stands for a hidden
 *   character
 * @typedef {{ kind: 'plain', text: string } | { kind: 'string', parts: JsonStringPart[] }} JsonToken
 *   `string`: one JSON string, quotes included; `plain`: everything between strings
 */

/** A JSON string in JSON.stringify's output (which writes no raw line breaks inside one). */
const JSON_STRING = /"(?:[^"\\]|\\[\s\S])*"/g;
/** Inside a JSON string: a \u escape, another escape, or a run of characters. */
const JSON_STRING_PIECE = /\\u[0-9a-fA-F]{4}|\\[\s\S]|[^\\]+/g;

/**
 * @param {number} codePoint
 * @returns {string} the JSON escape: `\u202e`, a surrogate pair beyond U+FFFF
 */
function jsonEscape(codePoint) {
  const char = String.fromCodePoint(codePoint);
  let escaped = '';
  for (let i = 0; i < char.length; i++) {
    escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return escaped;
}

/**
 * The value as indented JSON in tokens for the raw view: every string separate (render.js
 * isolates each, so a right-to-left key cannot trade places with its value) and every hidden
 * character in a string written as its `\uXXXX` escape, the way JSON.stringify already writes C0
 * controls and lone surrogates. The text of the tokens is JSON that parses to the same value.
 * @param {unknown} value
 * @returns {JsonToken[]}
 */
export function jsonTokens(value) {
  const json = JSON.stringify(value, null, 2) ?? 'null';
  /** @type {JsonToken[]} */
  const tokens = [];
  let at = 0;
  for (const match of json.matchAll(JSON_STRING)) {
    if (match.index > at) tokens.push({ kind: 'plain', text: json.slice(at, match.index) });
    tokens.push({ kind: 'string', parts: stringParts(match[0]) });
    at = match.index + match[0].length;
  }
  if (at < json.length) tokens.push({ kind: 'plain', text: json.slice(at) });
  return tokens;
}

/**
 * @param {string} literal one JSON string as JSON.stringify wrote it
 * @returns {JsonStringPart[]}
 */
function stringParts(literal) {
  /** @type {JsonStringPart[]} */
  const parts = [];
  const text = (/** @type {string} */ value) => {
    const last = parts.at(-1);
    if (last?.kind === 'text') last.text += value;
    else parts.push({ kind: 'text', text: value });
  };
  for (const [piece] of literal.matchAll(JSON_STRING_PIECE)) {
    if (piece.startsWith('\\u')) {
      // JSON.stringify's own escapes: C0 controls and lone surrogates, hidden characters all.
      parts.push({ kind: 'escape', text: piece, codePoint: Number.parseInt(piece.slice(2), 16) });
    } else if (piece.startsWith('\\')) {
      text(piece);
    } else {
      for (const part of splitHidden(piece, { identifier: true })) {
        if (typeof part === 'string') text(part);
        else parts.push({ kind: 'escape', text: jsonEscape(part), codePoint: part });
      }
    }
  }
  return parts;
}

/**
 * The text of the tokens: the JSON the raw view shows and the copy button copies.
 * @param {JsonToken[]} tokens
 */
export function jsonText(tokens) {
  return tokens
    .map((token) =>
      token.kind === 'plain' ? token.text : token.parts.map((part) => part.text).join(''),
    )
    .join('');
}
