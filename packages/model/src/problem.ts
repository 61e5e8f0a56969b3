// What a rejected order reports: one entry per bad value, with a closed set of codes.

/** Every code a Problem can carry; README.md ("Problem codes") says when each is used. */
export const PROBLEM_CODES = [
  'required',
  'type',
  'not_integer',
  'too_short',
  'too_long',
  'too_small',
  'too_big',
  'format',
  'nul_char',
  'invalid_unicode',
  'unsafe_integer',
  'forbidden_key',
  'too_deep',
  'syntax',
  'invalid',
  'too_many_problems',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** `path` is like `items[0].price`, `delivery.phone`, or `` for the whole value. */
export type Problem = { path: string; code: ProblemCode; message: string };

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MAX_SEGMENT = 64;

/** `['items', 0, 'price']` → `items[0].price`; odd keys are quoted: `extra["a.b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment) && segment.length <= MAX_SEGMENT) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      // JSON.stringify escapes NUL and lone surrogates, so a path is always safe to store in PG.
      const shown = segment.length > MAX_SEGMENT ? `${segment.slice(0, MAX_SEGMENT)}…` : segment;
      out += `[${JSON.stringify(shown)}]`;
    }
  }
  return out;
}

/** Messages may quote the input (JSON.parse does): make them storable and short. */
export function safeMessage(message: string, max = 300): string {
  const clean = message.replaceAll('\u0000', '\\u0000').toWellFormed();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
