import { ORDER_LIMITS, orderSchema } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { MAX_ORDER_ID, parseOrderId, parseOrderUid } from './keys.ts';

const UID_MAX = ORDER_LIMITS.string.order.order_uid.max;

describe('parseOrderUid', () => {
  it.each(['b563feb7b2b84b6test', 'a', 'A-Z_0-9', 'x'.repeat(UID_MAX)])('accepts %s', (uid) => {
    expect(parseOrderUid(uid)).toEqual({ ok: true, key: uid });
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(UID_MAX + 1)],
    ['10 KB', 'x'.repeat(10_240)],
    ['slash', 'a/b'],
    ['traversal', '../../etc/passwd'],
    ['dot', '.'],
    ['percent', '%2e%2e'],
    ['NUL', 'a\u0000b'],
    ['space', 'a b'],
    ['quote (SQL-ish)', "x' OR '1'='1"],
    ['semicolon', 'x;DROP TABLE orders'],
    ['unicode', 'заказ'],
    ['emoji', 'a😀'],
    ['fullwidth digit', '１'],
  ])('rejects %s', (_name, uid) => {
    const result = parseOrderUid(uid);
    expect(result.ok).toBe(false);
  });

  it("agrees with the model's order_uid rule", () => {
    const rule = orderSchema.shape.order_uid;
    const alphabet = 'aZ09_-./%\u0000 é😀\'";+';
    const cases = ['', 'x'.repeat(UID_MAX), 'x'.repeat(UID_MAX + 1)];
    for (const a of alphabet) {
      cases.push(a, `ok${a}`, `${a}ok`);
      for (const b of alphabet) cases.push(a + b);
    }
    for (const uid of cases) {
      expect(parseOrderUid(uid).ok, JSON.stringify(uid)).toBe(rule.safeParse(uid).success);
    }
  });
});

describe('parseOrderId', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['007', 7],
    [String(MAX_ORDER_ID), MAX_ORDER_ID],
  ])('accepts %s', (raw, id) => {
    expect(parseOrderId(raw)).toEqual({ ok: true, key: id });
  });

  it.each([
    '',
    '0',
    '-1',
    '+1',
    '1.0',
    '1e3',
    '0x10',
    ' 1',
    '1 ',
    'abc',
    '١',
    String(MAX_ORDER_ID + 1),
    '9223372036854775807', // PostgreSQL bigint max: beyond what a JSON number can carry exactly
    '99999999999999999999999',
    '1'.repeat(10_240),
  ])('rejects %j', (raw) => {
    const result = parseOrderId(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/integer from 1 to 9007199254740991/);
  });
});
