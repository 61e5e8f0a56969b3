import { loadConfig } from '@orders/config';
import { describe, expect, it } from 'vitest';
import { InfraError } from './errors.ts';
import { isLoopback, postgresUrl, readInfraSettings } from './settings.ts';

describe('readInfraSettings', () => {
  it('uses the documented defaults', () => {
    expect(readInfraSettings({})).toEqual({
      postgres: {
        user: 'orders',
        password: 'orders',
        database: 'orders',
        host: '127.0.0.1',
        port: 5432,
      },
      kafka: { brokers: ['127.0.0.1:9092'] },
    });
  });

  it('takes overrides and treats blank values as unset', () => {
    const settings = readInfraSettings({
      POSTGRES_USER: 'u',
      POSTGRES_PASSWORD: ' ',
      DB_PORT: '5433',
      KAFKA_BROKERS: ' 127.0.0.1:19092, localhost:19093',
    });
    expect(settings.postgres).toMatchObject({ user: 'u', password: 'orders', port: 5433 });
    expect(settings.kafka.brokers).toEqual(['127.0.0.1:19092', 'localhost:19093']);
  });

  it('ignores invalid variables it does not read', () => {
    expect(readInfraSettings({ SERVER_PORT: 'http', MEMORY_MAX_AGE: '14' }).postgres.port).toBe(
      5432,
    );
  });

  // the values ingest refuses too (the same rules: @orders/config)
  it.each([
    ['DB_PORT', 'abc'],
    ['DB_PORT', '70000'],
    ['DB_PORT', '5432.0'],
    ['KAFKA_BROKERS', 'no-port'],
    ['KAFKA_BROKERS', 'host:0'],
    ['KAFKA_BROKERS', '127.0.0.1:9092,'],
    ['DB_HOST', 'bad host'],
  ])('rejects %s=%s with a bad_setting error naming the variable', (name, value) => {
    let caught: unknown;
    try {
      readInfraSettings({ [name]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InfraError);
    expect(caught).toMatchObject({ code: 'bad_setting', message: expect.stringContaining(name) });
  });
});

describe('postgresUrl', () => {
  it('percent-encodes credentials and brackets IPv6 hosts', () => {
    const url = postgresUrl(
      { user: 'a@b', password: 'p:/w', database: 'd b', host: '::1', port: 5 },
      'other',
    );
    expect(url).toBe('postgresql://a%40b:p%3A%2Fw@[::1]:5/other');
  });

  it('is the connection string loadConfig builds from the same settings', () => {
    const env = {
      POSTGRES_USER: 'a@b',
      POSTGRES_PASSWORD: 'p w',
      DB_HOST: '/run/pg',
      DB_PORT: '5',
    };
    const loaded = loadConfig(env);
    expect(loaded.ok && loaded.config.postgres.connectionString).toBe(
      postgresUrl(readInfraSettings(env).postgres),
    );
  });
});

describe('isLoopback', () => {
  it('accepts only this machine', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['10.0.0.1', 'kafka', '0.0.0.0'].map(isLoopback)).toEqual([false, false, false]);
  });
});
