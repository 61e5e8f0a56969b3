// The served bytes of an order: a pure function of its value. Known fields come in schema order,
// unknown keys after them sorted by code point, recursively; so the same order gives the same
// bytes whatever key order it arrived in (a JSONB round trip reorders keys).
// Numbers are written as JavaScript writes them (shortest round-trip form); PostgreSQL stores that
// decimal exactly and JSON.parse of its text gives the same double, so the bytes survive a restart.
import { hash } from 'node:crypto';
import { z } from 'zod';
import { type Order, orderSchema } from './order.ts';

type Layout = {
  keys: readonly string[];
  /** `"key":` per known key, built once. */
  prefixes: readonly string[];
  known: ReadonlySet<string>;
  /** Per known key: the layout of a nested known object, or of the elements of a known array. */
  children: readonly (Child | undefined)[];
};
type Child = { array: boolean; layout: Layout };

function layoutOf(schema: z.ZodObject): Layout {
  const keys = Object.keys(schema.shape);
  const children = keys.map((key): Child | undefined => {
    const field = schema.shape[key];
    if (field instanceof z.ZodObject) return { array: false, layout: layoutOf(field) };
    if (field instanceof z.ZodArray && field.element instanceof z.ZodObject) {
      return { array: true, layout: layoutOf(field.element) };
    }
    return undefined;
  });
  return {
    keys,
    prefixes: keys.map((key) => `${JSON.stringify(key)}:`),
    known: new Set(keys),
    children,
  };
}

const ORDER_LAYOUT = layoutOf(orderSchema);

export function canonicalJson(order: Order): string {
  // Fast path: an order that already has exactly the known keys in schema order at every level
  // (what validateOrder returns for input without extra fields) serialises natively to the same text.
  if (inSchemaOrder(order, ORDER_LAYOUT)) return JSON.stringify(order);
  return knownObject(order, ORDER_LAYOUT);
}

/**
 * True when `value` is an object with exactly the schema's keys in schema order at every level and
 * primitives in the leaves: no unknown key anywhere (so no forbidden or long key, depth 3), and
 * once validated its canonical text is its JSON.stringify. Internal (decode.ts).
 */
export function isInSchemaOrder(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    inSchemaOrder(value as Record<string, unknown>, ORDER_LAYOUT)
  );
}

export type EncodedOrder = { body: Buffer; etag: string };

/** Canonical UTF-8 bytes and a strong ETag derived from exactly those bytes. */
export function encodeOrder(order: Order): EncodedOrder {
  const body = Buffer.from(canonicalJson(order), 'utf8');
  return { body, etag: etagOf(body) };
}

/** The strong ETag of a body. Internal (decode.ts). */
export function etagOf(body: Uint8Array): string {
  // 96 bits of SHA-1: an ETag only has to tell versions of one order apart, not resist attackers.
  return `"${hash('sha1', body, 'base64url').slice(0, 16)}"`;
}

/** True when `obj` has exactly the layout's keys, in order, with primitives in the leaves. */
function inSchemaOrder(obj: Record<string, unknown>, layout: Layout): boolean {
  let i = 0;
  for (const key in obj) {
    if (key !== layout.keys[i]) return false;
    const value = obj[key];
    const child = layout.children[i];
    i++;
    if (typeof value !== 'object' || value === null) continue;
    if (child === undefined) return false;
    if (!child.array) {
      if (Array.isArray(value) || !inSchemaOrder(value as Record<string, unknown>, child.layout)) {
        return false;
      }
      continue;
    }
    if (!Array.isArray(value)) return false;
    for (const element of value) {
      if (typeof element !== 'object' || element === null || Array.isArray(element)) return false;
      if (!inSchemaOrder(element, child.layout)) return false;
    }
  }
  return i === layout.keys.length;
}

function knownObject(obj: Record<string, unknown>, layout: Layout): string {
  let out = '{';
  let sep = '';
  for (let i = 0; i < layout.keys.length; i++) {
    const value = obj[layout.keys[i] as string];
    if (value === undefined) continue;
    const child = layout.children[i];
    out += sep + layout.prefixes[i];
    if (child !== undefined && typeof value === 'object' && value !== null) {
      out += child.array
        ? knownArray(value, child.layout)
        : knownObject(value as Record<string, unknown>, child.layout);
    } else {
      out += json(value);
    }
    sep = ',';
  }
  let unknown: string[] | undefined;
  for (const key of Object.keys(obj)) {
    if (layout.known.has(key)) continue;
    if (unknown === undefined) unknown = [];
    unknown.push(key);
  }
  if (unknown !== undefined) out += members(obj, unknown, sep);
  return `${out}}`;
}

function knownArray(value: object, layout: Layout): string {
  if (!Array.isArray(value)) return json(value);
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    const element: unknown = value[i];
    if (i > 0) out += ',';
    out +=
      typeof element === 'object' && element !== null && !Array.isArray(element)
        ? knownObject(element as Record<string, unknown>, layout)
        : json(element);
  }
  return `${out}]`;
}

/** Any JSON value, objects with all keys sorted. Mirrors JSON.stringify for odd values. */
function json(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + json(value[i]);
        return `${out}]`;
      }
      return `{${members(value as Record<string, unknown>, Object.keys(value), '')}}`;
    }
    default:
      return 'null';
  }
}

/** `"k":v` pairs in code point order of the keys; `sep` goes before the first written pair. */
function members(obj: Record<string, unknown>, keys: string[], sep: string): string {
  keys.sort(compareCodePoints);
  let out = '';
  for (const key of keys) {
    const value = obj[key];
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    out += `${sep}${JSON.stringify(key)}:${json(value)}`;
    sep = ',';
  }
  return out;
}

/**
 * Code point order (= UTF-8 byte order). Plain `<` compares UTF-16 units, which puts U+10000 and
 * above (surrogates D800–DFFF) before U+E000–U+FFFF; shift the units so they compare as code points.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
