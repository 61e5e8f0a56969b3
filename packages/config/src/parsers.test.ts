import { describe, expect, it } from 'vitest';
import {
  boolean,
  brokerList,
  bytes,
  duration,
  host,
  integer,
  oneOf,
  parseBrokerAddress,
  pemOrPath,
  port,
  postgresHost,
  ratio,
  text,
  topicName,
} from './parsers.ts';

const value = <T>(result: { ok: true; value: T } | { ok: false }) =>
  result.ok ? result.value : 'rejected';

describe('integer', () => {
  const int = integer(0, 100);
  it.each([
    ['0', 0],
    ['100', 100],
    ['007', 7],
  ])('accepts %s', (raw, expected) => expect(value(int.parse(raw))).toBe(expected));
  it.each(['-1', '101', '1.5', '1e2', '0x10', '', 'abc', '1_000', '+5'])('rejects %j', (raw) =>
    expect(int.parse(raw).ok).toBe(false),
  );
  it('names its range', () => {
    expect(port.expected).toBe('an integer from 1 to 65,535');
    expect(value(port.parse('0'))).toBe('rejected');
    expect(value(port.parse('65536'))).toBe('rejected');
  });
});

describe('boolean', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['0', false],
    ['false', false],
    ['FALSE', false],
  ])('reads %s', (raw, expected) => expect(value(boolean.parse(raw))).toBe(expected));
  it.each(['yes', 'no', 'on', 'off', '2', 't', 'f', 'enabled'])('rejects %s', (raw) =>
    expect(boolean.parse(raw).ok).toBe(false),
  );
});

describe('oneOf', () => {
  const level = oneOf(['info', 'debug']);
  it('is case-insensitive and returns the canonical value', () => {
    expect(value(level.parse('DEBUG'))).toBe('debug');
    expect(level.parse('verbose').ok).toBe(false);
    expect(level.expected).toBe('one of info, debug');
  });
});

describe('bytes', () => {
  const size = bytes(0, 1024 ** 3);
  it.each([
    ['0', 0],
    ['1500', 1500],
    ['512KiB', 512 * 1024],
    ['256MiB', 256 * 1024 ** 2],
    ['1gib', 1024 ** 3],
    ['2 MiB', 2 * 1024 ** 2],
  ])('reads %s', (raw, expected) => expect(value(size.parse(raw))).toBe(expected));
  it.each(['2GiB', '1.5MiB', '10MB', '1k', '-1', 'MiB'])('rejects %s', (raw) =>
    expect(size.parse(raw).ok).toBe(false),
  );
  it('states the range in units', () => {
    expect(bytes(1024, 64 * 1024 ** 2).expected).toMatch(/^a size from 1KiB to 64MiB/);
  });
});

describe('duration', () => {
  const age = duration(1000, 3650 * 86_400_000);
  it.each([
    ['14d', 14 * 86_400_000],
    ['36h', 36 * 3_600_000],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    ['1500ms', 1500],
    ['2D', 2 * 86_400_000],
  ])('reads %s', (raw, expected) => expect(value(age.parse(raw))).toBe(expected));
  it.each(['14', '0d', '999ms', '3651d', '1.5h', '1w', 'd', '-1d'])('rejects %s', (raw) =>
    expect(age.parse(raw).ok).toBe(false),
  );
  it('states the range', () => {
    expect(age.expected).toMatch(/^a duration from 1s to 3650d with a unit/);
  });
});

describe('ratio', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['0.05', 0.05],
    ['.5', 0.5],
    ['1.0', 1],
  ])('reads %s', (raw, expected) => expect(value(ratio.parse(raw))).toBe(expected));
  it.each(['1.01', '-0.1', '5%', 'half', '1e-2', ''])('rejects %j', (raw) =>
    expect(ratio.parse(raw).ok).toBe(false),
  );
});

describe('parseBrokerAddress', () => {
  it('splits host and port', () => {
    expect(parseBrokerAddress('kafka-1.example.com:9093')).toEqual({
      host: 'kafka-1.example.com',
      port: 9093,
    });
    expect(parseBrokerAddress('10.0.0.2:19092')).toEqual({ host: '10.0.0.2', port: 19092 });
  });
  it.each(['a', 'a:', ':9092', 'a:0', 'a:70000', '[::1]:9092', '::1:9092', 'a b:1', ' a:1'])(
    'is undefined for %j',
    (raw) => expect(parseBrokerAddress(raw)).toBeUndefined(),
  );
});

describe('brokerList', () => {
  it('splits and trims', () => {
    expect(value(brokerList.parse('a:9092, 10.0.0.2:19092 ,kafka-1.example.com:9093'))).toEqual([
      'a:9092',
      '10.0.0.2:19092',
      'kafka-1.example.com:9093',
    ]);
  });
  it.each(['a', 'a:', ':9092', 'a:0', 'a:70000', 'a:9092,', 'a:9092,,b:1', '[::1]:9092', 'a b:1'])(
    'rejects %j and names the bad entry',
    (raw) => {
      const result = brokerList.parse(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.expected).toMatch(/is not one$/);
    },
  );
});

describe('topicName', () => {
  it('follows Kafka rules', () => {
    expect(topicName.parse('orders.dlq_v2-x').ok).toBe(true);
    expect(topicName.parse('a'.repeat(249)).ok).toBe(true);
    for (const bad of ['.', '..', 'a'.repeat(250), 'orders dlq', 'orders/x', 'ördërs']) {
      expect(topicName.parse(bad).ok).toBe(false);
    }
  });
});

describe('hosts', () => {
  it('accepts names and IPs, rejects junk', () => {
    for (const ok of ['localhost', '127.0.0.1', '::1', 'db.internal', '0.0.0.0']) {
      expect(host.parse(ok).ok).toBe(true);
    }
    for (const bad of ['http://db', 'db:5432', 'a b', '-db', '/var/run/postgresql']) {
      expect(host.parse(bad).ok).toBe(false);
    }
  });
  it('PostgreSQL also takes a socket directory', () => {
    expect(value(postgresHost.parse('/var/run/postgresql'))).toBe('/var/run/postgresql');
    expect(postgresHost.parse('db:5432').ok).toBe(false);
  });
});

describe('text', () => {
  it('rejects control characters and over-long values', () => {
    expect(text(5).parse('abcde').ok).toBe(true);
    expect(text(5).parse('abcdef').ok).toBe(false);
    expect(text(5).parse('ab\ncd').ok).toBe(false);
  });
});

describe('pemOrPath', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  it('tells inline PEM from a path', () => {
    expect(value(pemOrPath.parse('/etc/kafka/ca.pem'))).toEqual({ path: '/etc/kafka/ca.pem' });
    expect(value(pemOrPath.parse(pem))).toEqual({ pem });
  });
  it('accepts PEM stored with literal \\n', () => {
    expect(value(pemOrPath.parse(pem.replaceAll('\n', '\\n')))).toEqual({ pem });
  });
  it('rejects truncated PEM', () => {
    const result = pemOrPath.parse('-----BEGIN PRIVATE KEY-----\nMIIB');
    expect(result.ok).toBe(false);
  });
});
