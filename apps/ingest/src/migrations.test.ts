import { PROBLEM_CODES } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CODE_INDEXES_V3 } from './migrations.ts';

describe('migrations', () => {
  it('every problem code has its index for the admin filter (a new code: add a step)', () => {
    expect([...PROBLEM_CODES]).toEqual([...PROBLEM_CODE_INDEXES_V3]);
  });
});
