import { seededRandom } from '@orders/testing';
import { describe, expect, it } from 'vitest';
import { canonicalJson, compareCodePoints, encodeOrder } from './canonical.ts';
import type { Order } from './order.ts';
import { sampleJson, sampleOrder, shuffleKeys } from './testing.ts';
import { validateOrder } from './validate.ts';

function valid(input: unknown): Order {
  const result = validateOrder(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.order;
}

/** The sample plus unknown fields at every level, including keys JS objects would reorder. */
function richOrder() {
  const order = sampleOrder();
  order.zeta = { b: [3, { y: 1, x: 2 }], a: null };
  order['10'] = 'ten';
  order['9'] = 'nine';
  order.alpha = [
    0.1,
    -0,
    5e-324,
    1.5e-7,
    -2.5e-10,
    123.456,
    Number.MAX_SAFE_INTEGER,
    true,
    false,
    null,
    '',
  ];
  order.delivery.floor = 3;
  order.payment.meta = { psp: 'x', é: 'e-acute', '😀': 'astral', '\uffff': 'bmp-last' };
  order.items[0].gift = {
    wrap: true,
    note: 'quote " backslash \\ newline \n tab \t ctrl \u0001 ☃',
  };
  return order;
}

describe('canonicalJson', () => {
  it('is the sample itself, compact, for the sample (it is already in schema order)', () => {
    expect(canonicalJson(valid(sampleOrder()))).toBe(JSON.stringify(JSON.parse(sampleJson())));
  });

  it('is valid JSON whose value is the order', () => {
    const order = valid(richOrder());
    expect(JSON.parse(canonicalJson(order))).toEqual(JSON.parse(JSON.stringify(order)));
  });

  it('gives the same text whatever the key order, at every level', () => {
    const random = seededRandom(42);
    for (const base of [sampleOrder(), richOrder()]) {
      const expected = canonicalJson(valid(base));
      for (let i = 0; i < 50; i++) {
        const shuffled = shuffleKeys(base, random);
        expect(canonicalJson(valid(shuffled))).toBe(expected);
        // also without going through zod (e.g. an order read back from the database)
        expect(canonicalJson(shuffled as Order)).toBe(expected);
      }
    }
  });

  it('writes known fields in schema order, then unknown keys by code point', () => {
    const text = canonicalJson(valid(richOrder()));
    const root = Object.keys(sampleOrder());
    const rootOrder = [...root, '10', '9', 'alpha', 'zeta'];
    expect(keyOrder(text, rootOrder)).toEqual(rootOrder);
    expect(text).toContain('"meta":{"psp":"x","é":"e-acute","\uffff":"bmp-last","😀":"astral"}');
    expect(text).toContain('"zeta":{"a":null,"b":[3,{"x":2,"y":1}]}');
    expect(text).toContain('"oof_shard":"1","10":"ten","9":"nine","alpha":');
    expect(text).toContain('"email":"test@gmail.com","floor":3}');
  });

  it('writes numbers as JavaScript does and escapes strings as JSON.stringify does', () => {
    const text = canonicalJson(valid(richOrder()));
    expect(text).toContain(
      '"alpha":[0.1,0,5e-324,1.5e-7,-2.5e-10,123.456,9007199254740991,true,false,null,""]',
    );
    expect(text).toContain(
      String.raw`"note":"quote \" backslash \\ newline \n tab \t ctrl \u0001 ☃"`,
    );
  });

  it('skips undefined properties like JSON.stringify', () => {
    const order = sampleOrder();
    order.note = undefined;
    order.delivery.extra = undefined;
    expect(canonicalJson(order)).toBe(canonicalJson(sampleOrder()));
  });
});

function keyOrder(text: string, keys: string[]): string[] {
  return [...keys].sort((a, b) => text.indexOf(`"${a}":`) - text.indexOf(`"${b}":`));
}

describe('compareCodePoints', () => {
  it('orders by code point, unlike UTF-16 comparison for astral characters', () => {
    const keys = ['😀', '\uffff', 'é', 'b', 'a', 'ab', '', 'B', '10', '9'];
    expect([...keys].sort(compareCodePoints)).toEqual([
      '',
      '10',
      '9',
      'B',
      'a',
      'ab',
      'b',
      'é',
      '\uffff',
      '😀',
    ]);
    // the default sort would put U+1F600 (surrogates D83D DE00) before U+FFFF
    expect([...keys].sort().slice(-2)).toEqual(['😀', '\uffff']);
  });

  it('matches the byte order of the UTF-8 encodings', () => {
    const random = seededRandom(3);
    const chars = ['a', 'é', '\u0800', '\ud7ff', '\ue000', '\uffff', '😀', '𝄞', '\u{10ffff}'];
    for (let i = 0; i < 500; i++) {
      const make = () =>
        Array.from(
          { length: 1 + Math.floor(random() * 3) },
          () => chars[Math.floor(random() * chars.length)],
        ).join('');
      const a = make();
      const b = make();
      expect(Math.sign(compareCodePoints(a, b))).toBe(
        Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    }
  });
});

describe('encodeOrder', () => {
  it('returns the canonical UTF-8 bytes and a strong quoted ETag', () => {
    const order = valid(richOrder());
    const { body, etag } = encodeOrder(order);
    expect(body.equals(Buffer.from(canonicalJson(order), 'utf8'))).toBe(true);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
  });

  it('gives the same ETag for the same value in any key order, another for another value', () => {
    const order = richOrder();
    const { etag } = encodeOrder(valid(order));
    expect(encodeOrder(valid(shuffleKeys(order, seededRandom(1)))).etag).toBe(etag);
    order.items[0].price += 1;
    expect(encodeOrder(valid(order)).etag).not.toBe(etag);
  });
});
