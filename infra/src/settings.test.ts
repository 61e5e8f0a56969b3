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
      KAFKA_BROKERS: '127.0.0.1:19092, localhost:19093,',
    });
    expect(settings.postgres).toMatchObject({ user: 'u', password: 'orders', port: 5433 });
    expect(settings.kafka.brokers).toEqual(['127.0.0.1:19092', 'localhost:19093']);
  });

  it.each([
    ['DB_PORT', 'abc'],
    ['DB_PORT', '70000'],
    ['KAFKA_BROKERS', 'no-port'],
    ['KAFKA_BROKERS', 'host:0'],
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
    expect(url).toBe('postgres://a%40b:p%3A%2Fw@[::1]:5/other');
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
