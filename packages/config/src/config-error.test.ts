import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigError } from './config-error.ts';

describe('ConfigError', () => {
  it('is a final, readable message', () => {
    const error = new ConfigError([
      { code: 'invalid', name: 'DB_PORT', expected: 'an integer from 1 to 65,535', value: 'x' },
    ]);
    expect(error.message).toBe(
      'Invalid configuration (1 problem):\n  DB_PORT: expected an integer from 1 to 65,535, got "x"',
    );
    expect(formatConfigError(error)).toBe(error.message);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('invalid_config');
  });
});
