// The fast paths (isCleanJson, the compiled schema, decode's text hints, decodeAndEncodeOrder's
// byte reuse) must answer exactly as the full checks they skip: compared on the same inputs.

import { seededRandom } from '@orders/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encodeOrder } from './canonical.ts';
import { checkJson, isCleanJson } from './check-json.ts';
import { decodeAndEncodeOrder, decodeOrder } from './decode.ts';
import { orderSchema } from './order.ts';
import { garbage, sampleJson, sampleOrder, shuffleKeys } from './testing.ts';
import { validateChecked, validateOrder } from './validate.ts';

const PATHS = [
  'order_uid',
  'delivery',
  'delivery.phone',
  'delivery.extra',
  'payment.amount',
  'payment.currency',
  'items',
  'items[0]',
  'items[0].price',
  'items[0].name',
  'items[0].extra',
  'date_created',
  'sm_id',
  'extra',
];

// biome-ignore lint/suspicious/noExplicitAny: the sample is untyped JSON on purpose
function setPath(root: any, path: string, value: unknown): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const last = parts.pop() as string;
  let target = root;
  for (const part of parts) {
    target = target?.[part];
    if (typeof target !== 'object' || target === null) return; // an earlier change replaced it
  }
  target[last] = value;
}

/** The sample with 0-2 random fields replaced by garbage, keys sometimes shuffled. */
function mutatedSamples(seed: number, n: number): unknown[] {
  const random = seededRandom(seed);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const order = sampleOrder();
    for (let k = Math.floor(random() * 3); k > 0; k--) {
      setPath(order, PATHS[Math.floor(random() * PATHS.length)] as string, garbage(random));
    }
    out.push(random() < 0.3 ? shuffleKeys(order, random) : order);
  }
  return out;
}

function corpus(): unknown[] {
  const random = seededRandom(99);
  return [
    sampleOrder(),
    ...mutatedSamples(1, 3000),
    ...Array.from({ length: 1000 }, () => garbage(random)),
  ];
}

describe('isCleanJson', () => {
  it('is true exactly when checkJson reports nothing', () => {
    let clean = 0;
    for (const input of corpus()) {
      const expected = checkJson(input).problems.length === 0;
      expect(isCleanJson(input)).toBe(expected);
      if (expected) clean++;
    }
    expect(clean).toBeGreaterThan(500);
  });

  it('without string checks differs only on NUL and lone surrogates', () => {
    for (const bad of ['a\u0000', '\ud800', 'x\udfff']) {
      const value = { ...sampleOrder(), extra: { [bad]: 1, k: bad } };
      expect(isCleanJson(value)).toBe(false);
      expect(isCleanJson(value, { strings: false })).toBe(true);
    }
  });
});

describe('the compiled schema', () => {
  it('compiles: no schema feature outside what z.compile supports', () => {
    expect(() => z.compile(orderSchema, { strict: true })).not.toThrow();
  });

  it('validateOrder answers as the full path (checkJson + interpreted schema)', () => {
    let accepted = 0;
    for (const input of corpus()) {
      const result = validateOrder(input);
      expect(result).toEqual(validateChecked(input, false));
      if (result.ok) {
        accepted++;
        // same key order too (canonicalJson's fast path depends on it)
        expect(JSON.stringify(result.order)).toBe(
          JSON.stringify((validateChecked(input, false) as { order: unknown }).order),
        );
      }
    }
    expect(accepted).toBeGreaterThan(300);
  });
});

function sameMemory(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** JSON texts: the corpus that JSON can carry, in several spellings. */
function texts(): string[] {
  const out: string[] = [sampleJson(), JSON.stringify(sampleOrder()), '{}', '[]', '1', '{"a":'];
  for (const input of mutatedSamples(2, 2000)) {
    let text: string | undefined;
    try {
      text = JSON.stringify(input);
    } catch {
      continue; // a bigint
    }
    if (text === undefined) continue;
    out.push(text, JSON.stringify(input, null, 1));
  }
  const compact = JSON.stringify(sampleOrder());
  out.push(
    compact.replace('"Mascaras"', '"Masc\\u0061ras"'), // an escape spelling the same text
    compact.replace('"Mascaras"', '"Mascaras\\u0000"'),
    compact.replace('"Mascaras"', '"\\ud83d\\ude00"'), // a valid pair, escaped
    compact.replace('"Mascaras"', '"\\ud83d"'),
    compact.replace('"Mascaras"', '"Mas\\/caras"'),
    compact.replace('"sm_id":99', '"sm_id":99.0'),
    compact.replace('"sm_id":99', '"sm_id":9.9e1'),
    compact.replace('"entry":"WBIL"', '"entry":"WBIL","__proto__":{"x":1}'),
    compact.replace('"name":"Mascaras"', '"name":"Маскара 😀"'),
    compact.replace('{"order_uid"', '{"extra":{"\\u0000":1},"order_uid"'),
  );
  return out;
}

describe('decodeOrder and decodeAndEncodeOrder', () => {
  const opts = { maxBytes: 1024 * 1024 };

  it('decode as validateOrder of the parsed text does, and encode as encodeOrder does', () => {
    let reused = 0;
    let accepted = 0;
    for (const text of texts()) {
      for (const bytes of [Buffer.from(text), Buffer.from(`\ufeff${text}`)]) {
        const decoded = decodeOrder(bytes, opts);
        let reference: unknown;
        try {
          const json = JSON.parse(text);
          reference =
            typeof json === 'object' && json !== null && !Array.isArray(json)
              ? validateChecked(json, false)
              : undefined;
        } catch {
          reference = undefined;
        }
        if (reference !== undefined) {
          const r = reference as ReturnType<typeof validateOrder>;
          const uid = JSON.parse(text).order_uid;
          const plausible = typeof uid === 'string' && uid.length > 0 && uid.length <= 128;
          expect(decoded).toEqual(
            r.ok
              ? r
              : {
                  ok: false,
                  reason: 'invalid_order',
                  problems: r.problems,
                  ...(plausible ? { uid } : {}),
                },
          );
        }
        const both = decodeAndEncodeOrder(bytes, opts);
        if (!decoded.ok) {
          expect(both).toEqual(decoded);
          continue;
        }
        accepted++;
        const encoded = encodeOrder(decoded.order);
        expect(both).toEqual({ ok: true, order: decoded.order, ...encoded });
        if (both.ok && sameMemory(both.body, bytes)) reused++;
      }
    }
    expect(accepted).toBeGreaterThan(300);
    expect(reused).toBeGreaterThan(100);
  });

  it('reuses the message bytes only when they are the canonical text', () => {
    const canonical = Buffer.from(JSON.stringify(sampleOrder()));
    const same = decodeAndEncodeOrder(canonical, opts);
    expect(same.ok && sameMemory(same.body, canonical)).toBe(true);
    for (const other of [
      Buffer.from(sampleJson()), // indented
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), canonical]), // BOM
      Buffer.from(JSON.stringify(shuffleKeys(sampleOrder(), seededRandom(3)))),
    ]) {
      const result = decodeAndEncodeOrder(other, opts);
      expect(result.ok && sameMemory(result.body, other)).toBe(false);
      expect(result.ok && result.body.equals(canonical)).toBe(true);
    }
  });
});
