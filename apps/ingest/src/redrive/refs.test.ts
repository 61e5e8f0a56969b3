import { REDRIVE_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { redriveRef } from './refs.ts';

const ref = (letter: string | Buffer, run: string | Buffer | undefined) =>
  redriveRef(letter, run === undefined ? {} : { [REDRIVE_HEADERS.run]: run });

describe('redriveRef', () => {
  it('reads the (run, letter) pair from text or bytes, the first of repeated values', () => {
    expect(ref('12', '3')).toEqual({ run: 3, letter: 12 });
    expect(ref(Buffer.from('12'), Buffer.from('3'))).toEqual({ run: 3, letter: 12 });
    expect(redriveRef(['5', '6'], { [REDRIVE_HEADERS.run]: ['7', '8'] })).toEqual({
      run: 7,
      letter: 5,
    });
  });

  it('refuses anything but a positive decimal id on both headers', () => {
    for (const bad of ['', '0', '-1', '01', '1.5', ' 1', '1e3', 'x', '99999999999999999']) {
      expect(ref(bad, '1'), bad).toBeUndefined();
      expect(ref('1', bad), bad).toBeUndefined();
    }
    expect(ref('1', undefined)).toBeUndefined();
    expect(redriveRef([], { [REDRIVE_HEADERS.run]: '1' })).toBeUndefined();
  });
});
