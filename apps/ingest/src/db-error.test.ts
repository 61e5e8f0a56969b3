import { describe, expect, it } from 'vitest';
import { classifyDbError } from './db-error.ts';

const pgError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyDbError', () => {
  it('SQLSTATE classes 22, 23 and 54 are the data itself', () => {
    for (const code of ['22001', '22P02', '23505', '23514', '54000']) {
      expect(classifyDbError(pgError(code)), code).toMatchObject({ kind: 'data', sqlstate: code });
    }
  });

  it('everything else is transient, with the SQLSTATE when the server gave one', () => {
    expect(classifyDbError(pgError('40P01'))).toEqual({
      kind: 'transient',
      sqlstate: '40P01',
      code: '40P01',
      message: 'boom',
    });
    expect(classifyDbError(pgError('57P01')).kind).toBe('transient');
    // a Node socket error has a code that is not a SQLSTATE
    expect(classifyDbError(pgError('ECONNREFUSED'))).toMatchObject({
      kind: 'transient',
      sqlstate: undefined,
      code: 'ECONNREFUSED',
    });
    expect(
      classifyDbError(new Error('Connection terminated unexpectedly')).sqlstate,
    ).toBeUndefined();
    expect(classifyDbError('just a string')).toEqual({
      kind: 'transient',
      sqlstate: undefined,
      code: 'unknown',
      message: 'just a string',
    });
    expect(classifyDbError(null).kind).toBe('transient');
  });
});
