// The checks zod cannot make: they hold for every value in the tree, including fields the schema
// does not know (which it keeps untouched). One pass, recursion bounded by maxDepth.
import { ORDER_LIMITS } from './limits.ts';
import { formatPath, type PathSegment, type Problem } from './problem.ts';

// JSON.parse turns "__proto__" into an own key; any later copy or merge (Object.assign, a deep
// merge, obj[key] = …) could then swap a prototype. Rejecting the three names removes the risk.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonCheck = {
  problems: Problem[];
  /** Formatted paths already reported, so the schema does not report the same value again. */
  paths: Set<string>;
};

/** The JSON-level problems of `value` (a whole order candidate). */
export function checkJson(value: unknown): JsonCheck {
  const check: JsonCheck = { problems: [], paths: new Set() };
  // A missing root is the schema's to report (`required`), as for a missing field.
  if (value !== undefined) visit(value, [], 0, check);
  return check;
}

/**
 * True when checkJson(value) would report nothing, without building paths: the happy path of
 * validation (most orders are clean; checkJson then runs only to explain a failure).
 * `strings: false` skips the NUL / lone-surrogate test of strings and keys, for a value parsed from
 * JSON text holding no `\u` escape: only an escape can put either into a parsed string (raw
 * control characters are a syntax error, and strictly decoded UTF-8 has no lone surrogates).
 */
export function isCleanJson(
  value: unknown,
  opts: { strings: boolean } = { strings: true },
): boolean {
  return value === undefined || clean(value, 0, opts.strings);
}

// The same rules as visit() below (check-json.test.ts compares the two), but boolean: the string
// tests were most of checkJson's ~4 µs per order, and for-in avoids Object.keys' array (an
// inherited enumerable key, only on a polluted Object.prototype, can only make it stricter).
function clean(value: unknown, depth: number, strings: boolean): boolean {
  switch (typeof value) {
    case 'string':
      return !strings || cleanString(value);
    case 'number':
      return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER;
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth + 1 > ORDER_LIMITS.maxDepth) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!clean(value[i], depth + 1, strings)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (child === undefined) continue;
    if (FORBIDDEN_KEYS.has(key) || key.length > ORDER_LIMITS.maxKeyLength) return false;
    if (strings && !cleanString(key)) return false;
    if (!clean(child, depth + 1, strings)) return false;
  }
  return true;
}

function cleanString(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

function report(check: JsonCheck, path: PathSegment[], code: Problem['code'], message: string) {
  const formatted = formatPath(path);
  check.problems.push({ path: formatted, code, message });
  check.paths.add(formatted);
}

function full(check: JsonCheck): boolean {
  return check.problems.length > ORDER_LIMITS.maxProblems;
}

function visit(value: unknown, path: PathSegment[], depth: number, check: JsonCheck): void {
  switch (typeof value) {
    case 'string':
      checkString(value, path, check, 'value');
      return;
    case 'number':
      if (!Number.isFinite(value)) report(check, path, 'type', 'expected a finite JSON number');
      else if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
        report(
          check,
          path,
          'unsafe_integer',
          'number is beyond ±(2^53-1) and may have lost precision',
        );
      }
      return;
    case 'boolean':
      return;
    case 'object':
      break;
    default:
      report(check, path, 'type', `expected a JSON value, got ${typeof value}`);
      return;
  }
  if (value === null) return;
  if (depth + 1 > ORDER_LIMITS.maxDepth) {
    report(check, path, 'too_deep', `nesting deeper than ${ORDER_LIMITS.maxDepth} levels`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !full(check); i++) {
      path.push(i);
      visit(value[i], path, depth + 1, check);
      path.pop();
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    report(check, path, 'type', 'expected a plain JSON object');
    return;
  }
  for (const key of Object.keys(value)) {
    if (full(check)) return;
    const child = (value as Record<string, unknown>)[key];
    // Like JSON.stringify: an undefined property is an absent one (the schema says if it is required).
    if (child === undefined) continue;
    path.push(key);
    if (FORBIDDEN_KEYS.has(key)) {
      report(check, path, 'forbidden_key', `key "${key}" is not allowed`);
    } else if (key.length > ORDER_LIMITS.maxKeyLength) {
      report(check, path, 'too_long', `key longer than ${ORDER_LIMITS.maxKeyLength} characters`);
    } else if (checkString(key, path, check, 'key')) {
      visit(child, path, depth + 1, check);
    }
    path.pop();
  }
}

/** PostgreSQL rejects U+0000 and unpaired surrogates (`\ud800`) in text and jsonb. */
function checkString(s: string, path: PathSegment[], check: JsonCheck, what: string): boolean {
  if (s.includes('\u0000')) {
    report(check, path, 'nul_char', `${what} contains a NUL character (\\u0000)`);
    return false;
  }
  if (!s.isWellFormed()) {
    report(check, path, 'invalid_unicode', `${what} contains an unpaired UTF-16 surrogate`);
    return false;
  }
  return true;
}
