import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_REASONS,
  decodeAndEncodeOrder,
  decodeOrder,
  REJECT_REASONS,
} from './decode.ts';
import { sampleBytes, sampleJson, sampleOrder } from './testing.ts';

const opts = { maxBytes: 64 * 1024 };
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('decodeOrder', () => {
  it('decodes the sample', () => {
    expect(decodeOrder(sampleBytes(), opts)).toEqual({ ok: true, order: sampleOrder() });
  });

  it('accepts a plain Uint8Array view into a larger buffer', () => {
    const padded = Buffer.concat([bytes('xx'), sampleBytes(), bytes('yy')]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 2, sampleBytes().length);
    expect(decodeOrder(view, opts).ok).toBe(true);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(
      decodeOrder(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), sampleBytes()]), opts).ok,
    ).toBe(true);
  });

  it.each([
    ['a null value (tombstone)', null],
    ['zero bytes', new Uint8Array(0)],
  ])('%s → empty', (_name, value) => {
    expect(decodeOrder(value, opts)).toEqual({
      ok: false,
      reason: 'empty',
      problems: [{ path: '', code: 'required', message: expect.any(String) }],
    });
  });

  it('checks the size before parsing: oversized garbage is too_large, not not_json', () => {
    const result = decodeOrder(bytes('x'.repeat(opts.maxBytes + 1)), opts);
    expect(result).toEqual({
      ok: false,
      reason: 'too_large',
      problems: [
        { path: '', code: 'too_long', message: expect.stringContaining(String(opts.maxBytes)) },
      ],
    });
  });

  it('accepts a value of exactly maxBytes', () => {
    const value = sampleBytes();
    expect(decodeOrder(value, { maxBytes: value.length }).ok).toBe(true);
    expect(decodeOrder(value, { maxBytes: value.length - 1 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });

  it.each([
    ['truncated JSON', bytes(sampleJson().slice(0, 100))],
    ['not JSON at all', bytes('order please')],
    ['whitespace only', bytes('  \n')],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ['a raw NUL byte', bytes('{"a":\u0000}')],
  ])('%s → not_json with a storable message', (_name, value) => {
    const result = decodeOrder(value, opts);
    expect(result).toEqual({
      ok: false,
      reason: 'not_json',
      problems: [{ path: '', code: 'syntax', message: expect.any(String) }],
    });
    const message = result.ok ? '' : (result.problems[0]?.message ?? '');
    expect(message.includes('\u0000')).toBe(false);
  });

  it.each(['[]', '[{}]', 'null', '42', '"order"', 'true'])('%s → not_object', (text) => {
    expect(decodeOrder(bytes(text), opts)).toEqual({
      ok: false,
      reason: 'not_object',
      problems: [{ path: '', code: 'type', message: expect.any(String) }],
    });
  });

  it('returns every problem of an invalid order', () => {
    const order = sampleOrder();
    order.order_uid = '';
    order.items = [];
    expect(decodeOrder(bytes(JSON.stringify(order)), opts)).toEqual({
      ok: false,
      reason: 'invalid_order',
      problems: [
        { path: 'order_uid', code: 'too_short', message: expect.any(String) },
        { path: 'items', code: 'too_short', message: expect.any(String) },
      ],
    });
  });

  it('an invalid order carries its order_uid when it has a plausible one (to find its letter)', () => {
    const order = sampleOrder();
    order.items = [];
    const uid = order.order_uid as string;
    for (const decode of [decodeOrder, decodeAndEncodeOrder]) {
      expect(decode(bytes(JSON.stringify(order)), opts)).toMatchObject({ ok: false, uid });
      for (const bad of ['', 7, 'x'.repeat(129)]) {
        const result = decode(bytes(JSON.stringify({ ...order, order_uid: bad })), opts);
        expect(result.ok || 'uid' in result, String(bad)).toBe(false);
      }
    }
  });

  it('rejects escaped NUL and lone surrogates that JSON.parse lets through', () => {
    const text = sampleJson()
      .replace('"Test Testov"', '"Test\\u0000"')
      .replace('"Mascaras"', '"\\ud800"');
    expect(decodeOrder(bytes(text), opts)).toEqual({
      ok: false,
      reason: 'invalid_order',
      problems: [
        { path: 'delivery.name', code: 'nul_char', message: expect.any(String) },
        { path: 'items[0].name', code: 'invalid_unicode', message: expect.any(String) },
      ],
      uid: sampleOrder().order_uid,
    });
  });

  it('rejects a "__proto__" key without touching any prototype', () => {
    const text = sampleJson().replace('"entry"', '"__proto__":{"polluted":1},"entry"');
    expect(decodeOrder(bytes(text), opts)).toEqual({
      ok: false,
      reason: 'invalid_order',
      problems: [{ path: '__proto__', code: 'forbidden_key', message: expect.any(String) }],
      uid: sampleOrder().order_uid,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives very deep JSON without throwing', () => {
    const depth = 100_000;
    const deepObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const deepArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const big = { maxBytes: 1 << 20 };
    // V8 parses deep JSON iteratively; the depth check then stops at the cap.
    const object = decodeOrder(bytes(deepObject), big);
    expect(object).toMatchObject({ ok: false, reason: 'invalid_order' });
    expect(object.ok ? [] : object.problems[0]).toMatchObject({ code: 'too_deep' });
    expect(decodeOrder(bytes(deepArray), big)).toMatchObject({ ok: false, reason: 'not_object' });
  });

  it('answers only the reasons REJECT_REASONS lists, and each of them', () => {
    const seen = new Set(
      [null, bytes('x'.repeat(opts.maxBytes + 1)), bytes('{'), bytes('[]'), bytes('{}')].map(
        (value) => {
          const result = decodeOrder(value, opts);
          return result.ok ? 'ok' : result.reason;
        },
      ),
    );
    expect([...seen]).toEqual([...REJECT_REASONS]);
    expect(DEAD_LETTER_REASONS).toEqual([...REJECT_REASONS, 'rejected_by_database']);
  });
});
