/**
 * Does an If-None-Match field value match this ETag? RFC 9110 §13.1.2: `*` matches any current
 * representation; otherwise a comma-separated list of entity-tags compared with the *weak*
 * comparison (a `W/` prefix on either side is ignored; the opaque tags must be equal).
 * Malformed members are skipped, never matched.
 */
export function ifNoneMatchMatches(field: string, etag: string): boolean {
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  // Fast path: the client sends back exactly what we sent.
  if (field === etag || field === opaque) return true;
  const n = field.length;
  let i = 0;
  while (i < n) {
    let c = field.charCodeAt(i);
    // Skip optional whitespace and empty list elements.
    if (c === 32 || c === 9 || c === 44) {
      i++;
      continue;
    }
    if (c === 42 /* * */) {
      const end = skipSpace(field, i + 1);
      if (end === n || field.charCodeAt(end) === 44) return true;
      i = nextComma(field, i);
      continue;
    }
    let start = i;
    if (c === 87 /* W */ && field.charCodeAt(i + 1) === 47 /* / */) {
      start = i + 2;
      c = field.charCodeAt(start);
    }
    if (c === 34 /* " */) {
      const close = field.indexOf('"', start + 1);
      if (close === -1) return false;
      const after = skipSpace(field, close + 1);
      const wellFormed = after === n || field.charCodeAt(after) === 44;
      if (wellFormed && close + 1 - start === opaque.length && field.startsWith(opaque, start)) {
        return true;
      }
      i = wellFormed ? after : nextComma(field, close + 1);
      continue;
    }
    i = nextComma(field, i);
  }
  return false;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

function nextComma(s: string, i: number): number {
  const comma = s.indexOf(',', i);
  return comma === -1 ? s.length : comma + 1;
}
