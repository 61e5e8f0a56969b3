import { describe, expect, it } from 'vitest';
import { readQuery } from './query.ts';

const names = ['id', 'uid'] as const;
const read = (query: string) => readQuery(`http://localhost/orders${query}`, names);

describe('readQuery', () => {
  it('reads wanted parameters and ignores others', () => {
    expect(read('?id=5&_=123')).toEqual({ ok: true, values: { id: '5' } });
    expect(read('?uid=abc')).toEqual({ ok: true, values: { uid: 'abc' } });
    expect(read('')).toEqual({ ok: true, values: {} });
    expect(read('?')).toEqual({ ok: true, values: {} });
    expect(read('?&&id=1&')).toEqual({ ok: true, values: { id: '1' } });
  });

  it('decodes percent-encoding and + in names and values', () => {
    expect(read('?u%69d=a%2Fb')).toEqual({ ok: true, values: { uid: 'a/b' } });
    expect(read('?uid=a+b')).toEqual({ ok: true, values: { uid: 'a b' } });
    expect(read('?uid=%00')).toEqual({ ok: true, values: { uid: '\u0000' } });
  });

  it('gives an empty string for a parameter without a value', () => {
    expect(read('?id')).toEqual({ ok: true, values: { id: '' } });
    expect(read('?id=')).toEqual({ ok: true, values: { id: '' } });
  });

  it('stops at the fragment', () => {
    expect(read('?id=1#uid=2')).toEqual({ ok: true, values: { id: '1' } });
  });

  it('rejects a repeated parameter and bad encoding', () => {
    expect(read('?id=1&id=2')).toMatchObject({ ok: false, message: 'id given more than once' });
    expect(read('?uid=%E0%A4%A')).toMatchObject({ ok: false });
    expect(read('?uid=%ZZ')).toMatchObject({ ok: false });
    expect(read('?%ZZ=1')).toMatchObject({ ok: false });
  });

  it('refuses unknown parameters when asked, naming only a plain name', () => {
    const strict = (query: string) =>
      readQuery(`http://localhost/x${query}`, names, { unknown: 'refuse' });
    expect(strict('?id=1&uid=a')).toEqual({ ok: true, values: { id: '1', uid: 'a' } });
    expect(strict('?id=1&limt=5')).toEqual({ ok: false, message: 'unknown parameter limt' });
    expect(strict('?%3Cscript%3E=1')).toEqual({ ok: false, message: 'unknown parameter' });
    expect(strict(`?${'n'.repeat(10_000)}=1`)).toEqual({ ok: false, message: 'unknown parameter' });
    expect(strict('?%00')).toEqual({ ok: false, message: 'unknown parameter' });
    expect(strict('?&&')).toEqual({ ok: true, values: {} });
  });
});
