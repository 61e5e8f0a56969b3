import { describe, expect, it } from 'vitest';
import { flatString } from './flat-string.ts';

describe('flatString', () => {
  it.each([
    '',
    '"abc"',
    `"${'x'.repeat(40).slice(3, 19)}"`,
    'ünïcödé "quoted" \\ \n\t \u0000 😀',
    'lone \ud800 surrogate',
  ])('returns an equal string for %j', (s) => {
    expect(flatString(s)).toBe(s);
  });
});
