import { describe, expect, it } from 'vitest';
import { formatPath, safeMessage } from './problem.ts';

describe('formatPath', () => {
  it.each([
    [[], ''],
    [['order_uid'], 'order_uid'],
    [['items', 0, 'price'], 'items[0].price'],
    [['delivery', 'phone'], 'delivery.phone'],
    [[3], '[3]'],
    [['extra', 'a.b'], 'extra["a.b"]'],
    [['extra', ''], 'extra[""]'],
    [['1st'], '["1st"]'],
    [['a\u0000'], '["a\\u0000"]'],
    [['\ud800'], '["\\ud800"]'],
  ] as const)('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });

  it('shortens a huge key', () => {
    const path = formatPath(['k'.repeat(10_000)]);
    expect(path).toBe(`["${'k'.repeat(64)}…"]`);
  });
});

describe('safeMessage', () => {
  it('escapes NUL, repairs lone surrogates and caps the length', () => {
    expect(safeMessage('a\u0000b\ud800')).toBe('a\\u0000b\ufffd');
    expect(safeMessage('x'.repeat(1000))).toHaveLength(301);
  });
});
