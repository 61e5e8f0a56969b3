import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { readVariables } from './read-variables.ts';

describe('readVariables', () => {
  it('gives the named variables only, parsed, with their defaults when unset or blank', () => {
    const read = readVariables({ DB_PORT: ' 5433 ', POSTGRES_USER: '  ', SERVER_PORT: 'x' }, [
      'DB_PORT',
      'POSTGRES_USER',
      'KAFKA_BROKERS',
    ]);
    expect(read).toEqual({
      ok: true,
      values: { DB_PORT: 5433, POSTGRES_USER: 'orders', KAFKA_BROKERS: ['127.0.0.1:9092'] },
      warnings: [],
    });
  });

  it('reports every bad one of them at once, as loadConfig words it, secrets masked', () => {
    const read = readVariables(
      { DB_PORT: '70000', KAFKA_BROKERS: 'a:1,', POSTGRES_PASSWORD: ' ', DATABASE_URL: 'pw' },
      ['DB_PORT', 'KAFKA_BROKERS', 'POSTGRES_PASSWORD', 'DATABASE_URL'],
    );
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toBeInstanceOf(ConfigError);
    expect(read.error.issues.map((i) => [i.name, i.value])).toEqual([
      ['DATABASE_URL', '***'],
      ['DB_PORT', '70000'],
      ['KAFKA_BROKERS', 'a:1,'],
    ]);
    expect(read.error.message).toContain('DB_PORT: expected an integer from 1 to 65,535');
    expect(read.error.message).not.toContain('pw');
  });

  it('reads a deprecated name with loadConfig’s warning', () => {
    expect(readVariables({ MEMORY_HANDLER_GOROUTINES: '7' }, ['DB_POOL_MAX'])).toEqual({
      ok: true,
      values: { DB_POOL_MAX: 7 },
      warnings: ['MEMORY_HANDLER_GOROUTINES is deprecated: use DB_POOL_MAX'],
    });
  });

  it('leaves an optional variable without a default undefined', () => {
    const read = readVariables({}, ['PRODUCER_SEED']);
    expect(read).toEqual({ ok: true, values: {}, warnings: [] });
  });
});
