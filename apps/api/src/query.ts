export type QueryResult<K extends string> =
  | { ok: true; values: Partial<Record<K, string>> }
  | { ok: false; message: string };

export type QueryOptions = {
  /**
   * `ignore` (default): unknown parameters are skipped (cache busters on public routes). `refuse`:
   * one is an error naming it (the admin API, where a misspelt filter must not widen a list).
   */
  unknown?: 'ignore' | 'refuse';
};

/**
 * Reads the named parameters from a request URL's query string. Unknown parameters are ignored
 * (cache busters) unless `options.unknown` refuses them; a wanted one given twice, or badly
 * percent-encoded, is an error rather than a silent pick. `+` means space, as in HTML forms.
 */
export function readQuery<K extends string>(
  url: string,
  names: readonly K[],
  options: QueryOptions = {},
): QueryResult<K> {
  const values: Partial<Record<K, string>> = {};
  const q = url.indexOf('?');
  if (q === -1) return { ok: true, values };
  const hash = url.indexOf('#', q);
  const end = hash === -1 ? url.length : hash;
  let start = q + 1;
  while (start <= end) {
    let amp = url.indexOf('&', start);
    if (amp === -1 || amp > end) amp = end;
    if (amp > start) {
      const pair = url.slice(start, amp);
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const name = decode(rawName);
      if (name === undefined) return { ok: false, message: 'malformed query string' };
      if ((names as readonly string[]).includes(name)) {
        const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
        if (value === undefined) return { ok: false, message: `malformed value for ${name}` };
        if (Object.hasOwn(values, name))
          return { ok: false, message: `${name} given more than once` };
        values[name as K] = value;
      } else if (options.unknown === 'refuse') {
        // named only when it is plainly a name: the message never echoes arbitrary input
        const shown = /^[A-Za-z0-9_.-]{1,32}$/.test(name) ? ` ${name}` : '';
        return { ok: false, message: `unknown parameter${shown}` };
      }
    }
    start = amp + 1;
  }
  return { ok: true, values };
}

function decode(text: string): string | undefined {
  if (text.indexOf('%') === -1 && text.indexOf('+') === -1) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
