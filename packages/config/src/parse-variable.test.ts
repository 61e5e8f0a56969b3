import { describe, expect, it } from 'vitest';
import { parseVariable, variableDefault } from './parse-variable.ts';

describe('parseVariable', () => {
  it('parses with the variable’s own rule', () => {
    expect(parseVariable('PRODUCER_RATE', ' 500 ')).toEqual({ ok: true, value: 500 });
    expect(parseVariable('PRODUCER_INVALID_RATIO', '0.25')).toEqual({ ok: true, value: 0.25 });
    expect(parseVariable('KAFKA_BROKERS', 'a:1,b:2')).toEqual({ ok: true, value: ['a:1', 'b:2'] });
  });
  it('says what it expected', () => {
    expect(parseVariable('PRODUCER_RATE', 'fast')).toEqual({
      ok: false,
      expected: 'an integer from 0 to 10,000,000',
    });
    expect(parseVariable('KAFKA_BROKERS', 'a:1,b')).toEqual({
      ok: false,
      expected: expect.stringContaining('"b" is not one'),
    });
  });
});

describe('variableDefault', () => {
  it('is the default text of the variable, undefined when it has none', () => {
    expect(variableDefault('DB_PORT')).toBe('5432');
    expect(variableDefault('KAFKA_BROKERS')).toBe('127.0.0.1:9092');
    expect(variableDefault('DATABASE_URL')).toBeUndefined();
    expect(variableDefault('PRODUCER_SEED')).toBeUndefined();
  });
});
