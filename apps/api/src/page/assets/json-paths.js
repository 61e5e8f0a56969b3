// Where each value of a dead letter's raw JSON text is, by the path the model names problems with
// (`items[0].price`, `delivery.phone`, `extra["a.b"]`), so the page can mark a problem in the text
// exactly as it came. The text is hostile: it may not be JSON at all, may end half-way, or nest
// deeper than any order; the scan then stops and keeps what it found (and where it stopped).
// Pure functions, unit-tested without a browser (json-paths.test.js).

/**
 * @typedef {{ start: number, end: number }} Span  character offsets in the text, end exclusive
 * @typedef {{ values: Map<string, Span>, strings: Span[], stoppedAt: number | null }} JsonMap
 *   `values`: every value by its path ('' is the whole value); `strings`: every string literal,
 *   keys included; `stoppedAt`: where the text stopped being JSON (null: it is JSON throughout)
 * @typedef {{ path: string, code: string, message: string }} Problem
 * @typedef {Span & { problem: number, exact: boolean }} ProblemSpan
 *   `exact`: the problem's own value; else the nearest enclosing value that exists (a missing key
 *   is marked on its object) or where the text stopped being JSON
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_SEGMENT = 64;
/** Deeper than any order the model accepts; a hostile letter nesting further is not followed. */
const MAX_DEPTH = 256;
const LITERAL = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw controls
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

/**
 * The model's path format (@orders/model formatPath): `items[0].price`; odd keys quoted.
 * @param {ReadonlyArray<string | number>} path
 */
export function formatPath(path) {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment) && segment.length <= MAX_SEGMENT) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      const shown = segment.length > MAX_SEGMENT ? `${segment.slice(0, MAX_SEGMENT)}…` : segment;
      out += `[${JSON.stringify(shown)}]`;
    }
  }
  return out;
}

class Stop extends Error {}

/**
 * Scans JSON text: each value's span by path, each string's span.
 * @param {string} text
 * @returns {JsonMap}
 */
export function mapJson(text) {
  /** @type {JsonMap} */
  const map = { values: new Map(), strings: [], stoppedAt: null };
  let at = 0;

  const space = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  /** @param {RegExp} pattern */
  const token = (pattern) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) throw new Stop();
    at = pattern.lastIndex;
    return match[0];
  };
  const string = () => {
    const start = at;
    const literal = token(STRING);
    map.strings.push({ start, end: at });
    return /** @type {string} */ (JSON.parse(literal));
  };
  /** @param {string} char */
  const expect = (char) => {
    if (text[at] !== char) throw new Stop();
    at++;
  };

  /** @param {Array<string | number>} path */
  const value = (path) => {
    if (path.length > MAX_DEPTH) throw new Stop();
    space();
    const start = at;
    const first = text[at];
    if (first === '{') {
      at++;
      space();
      if (text[at] === '}') at++;
      else {
        for (;;) {
          space();
          const key = string();
          space();
          expect(':');
          value([...path, key]);
          space();
          if (text[at] === ',') at++;
          else {
            expect('}');
            break;
          }
        }
      }
    } else if (first === '[') {
      at++;
      space();
      if (text[at] === ']') at++;
      else {
        for (let i = 0; ; i++) {
          value([...path, i]);
          space();
          if (text[at] === ',') at++;
          else {
            expect(']');
            break;
          }
        }
      }
    } else if (first === '"') string();
    else token(LITERAL);
    // a duplicate key: the last one is what JSON.parse (and so the model) reads
    map.values.set(formatPath(path), { start, end: at });
  };

  try {
    value([]);
    space();
    if (at < text.length) throw new Stop();
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    map.stoppedAt = at;
  }
  return map;
}

/**
 * Is `prefix` a whole-segment prefix of `path` (`items` of `items[0]`, not of `itemsx`)?
 * @param {string} prefix
 * @param {string} path
 */
function encloses(prefix, path) {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  const next = path[prefix.length];
  return next === '.' || next === '[';
}

/**
 * Where to mark each problem in the text. A problem of the whole value ('') is not marked unless
 * the text stopped being JSON (then the place it stopped is); the others at their value, or
 * (not exact) at the nearest enclosing value found.
 * @param {JsonMap} map
 * @param {readonly Problem[]} problems
 * @param {number} length the text's length
 * @returns {ProblemSpan[]}
 */
export function problemSpans(map, problems, length) {
  /** @type {ProblemSpan[]} */
  const spans = [];
  problems.forEach((problem, index) => {
    const own = map.values.get(problem.path);
    if (own !== undefined && problem.path !== '') {
      spans.push({ ...own, problem: index, exact: true });
      return;
    }
    if (map.stoppedAt !== null) {
      const start = Math.min(map.stoppedAt, Math.max(length - 1, 0));
      spans.push({ start, end: Math.min(start + 1, length), problem: index, exact: false });
      return;
    }
    if (problem.path === '') return;
    let best = '';
    for (const path of map.values.keys()) {
      if (path.length > best.length && encloses(path, problem.path)) best = path;
    }
    const enclosing = map.values.get(best);
    if (enclosing !== undefined) spans.push({ ...enclosing, problem: index, exact: false });
  });
  return spans;
}

/**
 * The text cut where any span starts or ends: each piece with the problems marking it and whether
 * it lies in a string literal (the page isolates strings, so right-to-left text keeps its place).
 * @param {number} length
 * @param {readonly ProblemSpan[]} marks
 * @param {readonly Span[]} strings
 * @returns {{ start: number, end: number, problems: number[], inString: boolean }[]}
 */
export function pieces(length, marks, strings) {
  const cuts = new Set([0, length]);
  for (const s of marks) cuts.add(s.start).add(s.end);
  for (const s of strings) cuts.add(s.start).add(s.end);
  const sorted = [...cuts].filter((c) => c >= 0 && c <= length).sort((a, b) => a - b);
  const out = [];
  let string = 0;
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = /** @type {number} */ (sorted[i]);
    const end = /** @type {number} */ (sorted[i + 1]);
    while (string < strings.length && /** @type {Span} */ (strings[string]).end <= start) string++;
    const inside = strings[string];
    out.push({
      start,
      end,
      problems: marks.filter((m) => m.start <= start && end <= m.end).map((m) => m.problem),
      inString: inside !== undefined && inside.start <= start && end <= inside.end,
    });
  }
  return out;
}
