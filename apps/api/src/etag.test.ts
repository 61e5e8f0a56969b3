import { describe, expect, it } from 'vitest';
import { ifNoneMatchMatches } from './etag.ts';

const TAG = '"abc123"';

describe('ifNoneMatchMatches (RFC 9110 weak comparison)', () => {
  it.each([
    ['the same tag', '"abc123"'],
    ['a weak form of it', 'W/"abc123"'],
    ['*', '*'],
    ['* with spaces', '  *  '],
    ['a list containing it', '"x", "abc123", "y"'],
    ['a list with a weak form', '"x",W/"abc123"'],
    ['a list with empty elements', ', ,"abc123",'],
    ['a list with tabs', '"x",\t"abc123"'],
  ])('matches %s', (_name, field) => {
    expect(ifNoneMatchMatches(field, TAG)).toBe(true);
  });

  it.each([
    ['another tag', '"abc124"'],
    ['the tag unquoted', 'abc123'],
    ['a prefix', '"abc12"'],
    ['a longer tag', '"abc1234"'],
    ['lowercase weak prefix', 'w/"abc123"'],
    ['empty', ''],
    ['unterminated', '"abc123'],
    ['tag glued to garbage', '"abc123"x'],
    ['* inside a quoted tag', '"*"'],
    ['a list without it', '"a", "b"'],
  ])('does not match %s', (_name, field) => {
    expect(ifNoneMatchMatches(field, TAG)).toBe(false);
  });

  it('compares weakly when our tag is weak too', () => {
    expect(ifNoneMatchMatches('"v1"', 'W/"v1"')).toBe(true);
    expect(ifNoneMatchMatches('W/"v1"', 'W/"v1"')).toBe(true);
  });
});
