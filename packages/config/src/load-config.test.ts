import { describe, expect, it } from 'vitest';
import type { Config } from './config.ts';
import type { ConfigError } from './config-error.ts';
import { defaultConfig, type Env, loadConfig } from './load-config.ts';
import { variableList } from './variables.ts';

function load(env: Env): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`expected a valid config:\n${result.error.message}`);
  return result.config;
}

function fail(env: Env): ConfigError {
  const result = loadConfig(env);
  if (result.ok) throw new Error('expected a ConfigError');
  return result.error;
}

describe('defaults', () => {
  it('an empty environment gives the documented defaults', () => {
    const config = load({});
    expect(config).toEqual({
      logLevel: 'info',
      postgres: {
        connectionString: 'postgresql://orders:orders@127.0.0.1:5432/orders',
        host: '127.0.0.1',
        port: 5432,
        database: 'orders',
        user: 'orders',
        sslMode: undefined,
        poolMax: 4,
      },
      kafka: {
        brokers: ['127.0.0.1:9092'],
        topic: 'orders',
        dlqTopic: 'orders.dlq',
        groupId: 'orders-ingest',
        topicPartitions: 6,
        replicationFactor: undefined,
        maxMessageBytes: 524_288,
        fetchMaxBytesPerPartition: 2_097_152,
        sessionTimeoutMs: 30_000,
        ssl: false,
        sasl: undefined,
      },
      ingest: {
        partitionsConcurrency: 3,
        batchSize: 1000,
        writeExamples: false,
        shutdownTimeoutMs: 10_000,
      },
      memory: {
        restore: true,
        cleanupIntervalMs: 600_000,
        maxOrders: 100_000,
        maxBytes: 268_435_456,
        maxAgeMs: 1_209_600_000,
      },
      server: {
        host: '0.0.0.0',
        port: 3000,
        getOrderById: true,
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 65_000,
      },
      admin: { tokens: [] },
      tracing: {
        endpoint: undefined,
        sampler: 'parentbased_always_on',
        samplerArg: 1,
        serviceName: undefined,
      },
      producer: {
        count: 0,
        rate: 100,
        concurrency: 4,
        batch: 500,
        invalidRatio: 0,
        duplicateRatio: 0,
        updateRatio: 0,
        seed: undefined,
      },
    } satisfies Config);
  });

  it('empty and blank values count as unset', () => {
    expect(load({ DB_PORT: '', SERVER_PORT: '   ', KAFKA_TOPIC: '' })).toEqual(load({}));
  });

  it('reads only the object it is given', () => {
    process.env.SERVER_PORT = '4999';
    try {
      expect(load({}).server.port).toBe(3000);
    } finally {
      delete process.env.SERVER_PORT;
    }
  });

  it('defaultConfig() is the config of an empty environment, whatever process.env holds', () => {
    process.env.SERVER_PORT = '4999';
    try {
      expect(defaultConfig()).toEqual(load({}));
    } finally {
      delete process.env.SERVER_PORT;
    }
  });
});

describe('overrides', () => {
  it('every group takes its variables', () => {
    const config = load({
      LOG_LEVEL: 'DEBUG',
      POSTGRES_USER: 'app',
      POSTGRES_PASSWORD: 'p@ss/w:rd#1',
      POSTGRES_DB: 'shop',
      DB_HOST: 'db.internal',
      DB_PORT: '6432',
      KAFKA_BROKERS: 'k1:9092,k2:9093',
      KAFKA_TOPIC: 'orders-v2',
      KAFKA_GROUP_ID: 'g1',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_MAX_BYTES: '100000',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      INGEST_BATCH_SIZE: '250',
      KAFKA_WRITE_EXAMPLES: 'true',
      MEMORY_RESTORE_DATA: 'false',
      MEMORY_CLEANUP_MINUTES_INTERVAL: '1',
      MEMORY_ORDERS_LIMIT: '0',
      MEMORY_MAX_BYTES: '1GiB',
      MEMORY_MAX_AGE: '36h',
      SERVER_PORT: ' 8080 ',
      SERVER_GET_ORDER_BY_ID: '0',
      PRODUCER_RATE: '0',
      PRODUCER_INVALID_RATIO: '0.1',
      PRODUCER_SEED: '42',
    });
    expect(config.logLevel).toBe('debug');
    // The password is percent-encoded so special characters survive.
    expect(config.postgres.connectionString).toBe(
      'postgresql://app:p%40ss%2Fw%3Ard%231@db.internal:6432/shop',
    );
    expect(config.postgres).toMatchObject({ host: 'db.internal', port: 6432, database: 'shop' });
    expect(config.kafka).toMatchObject({
      brokers: ['k1:9092', 'k2:9093'],
      topic: 'orders-v2',
      dlqTopic: 'orders-v2.dlq',
      groupId: 'g1',
      topicPartitions: 12,
      replicationFactor: 3,
      maxMessageBytes: 100_000,
      sessionTimeoutMs: 10_000,
    });
    expect(config.ingest).toMatchObject({ batchSize: 250, writeExamples: true });
    expect(config.memory).toEqual({
      restore: false,
      cleanupIntervalMs: 60_000,
      maxOrders: 0,
      maxBytes: 1024 ** 3,
      maxAgeMs: 36 * 3_600_000,
    });
    expect(config.server).toMatchObject({ port: 8080, getOrderById: false });
    expect(config.producer).toMatchObject({ rate: 0, invalidRatio: 0.1, seed: 42 });
  });

  it('KAFKA_SESSION_TIMEOUT_MS stays within the broker default bounds (6 s to 30 min)', () => {
    expect(load({ KAFKA_SESSION_TIMEOUT_MS: '6000' }).kafka.sessionTimeoutMs).toBe(6_000);
    expect(load({ KAFKA_SESSION_TIMEOUT_MS: '1800000' }).kafka.sessionTimeoutMs).toBe(1_800_000);
    for (const bad of ['5999', '1800001', '30s', '0']) {
      expect(fail({ KAFKA_SESSION_TIMEOUT_MS: bad }).issues).toMatchObject([
        { name: 'KAFKA_SESSION_TIMEOUT_MS', value: bad },
      ]);
    }
  });

  it('KAFKA_DLQ_TOPIC replaces the derived name', () => {
    expect(load({ KAFKA_DLQ_TOPIC: 'dead' }).kafka.dlqTopic).toBe('dead');
  });

  it('a Unix socket directory goes in the host parameter', () => {
    const config = load({ DB_HOST: '/var/run/postgresql' });
    expect(config.postgres.connectionString).toBe(
      'postgresql://orders:orders@/orders?host=%2Fvar%2Frun%2Fpostgresql&port=5432',
    );
    expect(config.postgres.host).toBe('/var/run/postgresql');
  });

  it('an IPv6 host is bracketed', () => {
    expect(load({ DB_HOST: '::1' }).postgres.connectionString).toBe(
      'postgresql://orders:orders@[::1]:5432/orders',
    );
  });
});

describe('DATABASE_URL', () => {
  it('wins over the parts', () => {
    const config = load({
      DATABASE_URL: 'postgres://svc:s3cret@pg.example.com:6543/prod',
      POSTGRES_USER: 'ignored',
      POSTGRES_PASSWORD: 'ignored',
      DB_HOST: 'ignored.example.com',
      DB_PORT: '1',
    });
    expect(config.postgres.connectionString).toBe('postgres://svc:s3cret@pg.example.com:6543/prod');
    expect(config.postgres).toMatchObject({
      host: 'pg.example.com',
      port: 6543,
      database: 'prod',
      user: 'svc',
    });
  });

  it('the parts are still validated', () => {
    const error = fail({ DATABASE_URL: 'postgresql://a:b@h/db', DB_PORT: 'x' });
    expect(error.issues.map((i) => i.name)).toEqual(['DB_PORT']);
  });

  it.each([
    'mysql://u:p@h/db',
    'postgres:h/db',
    'postgres://',
    'postgres://u:p@h:99999/db',
    'postgres://u:p#w@h/db',
    'h:5432/db',
  ])('rejects %j', (url) => {
    expect(fail({ DATABASE_URL: url }).issues[0]).toMatchObject({
      code: 'invalid',
      name: 'DATABASE_URL',
    });
  });

  it('accepts a socket URL the way libpq does', () => {
    const config = load({ DATABASE_URL: 'postgresql://u:p@/db?host=/tmp' });
    expect(config.postgres.connectionString).toBe('postgresql://u:p@/db?host=/tmp');
    expect(config.postgres).toMatchObject({ host: '/tmp', port: 5432, database: 'db' });
  });
});

describe('every problem at once', () => {
  it('five bad variables give five issues in one error', () => {
    const error = fail({
      DB_PORT: '70000',
      SERVER_GET_ORDER_BY_ID: 'yes',
      MEMORY_ORDERS_LIMIT: '-5',
      LOG_LEVEL: 'verbose',
      KAFKA_BROKERS: 'k1:9092,k2',
    });
    expect(error.code).toBe('invalid_config');
    expect(error.issues).toEqual([
      {
        code: 'invalid',
        name: 'LOG_LEVEL',
        expected: expect.stringMatching(/^one of fatal, /),
        value: 'verbose',
      },
      { code: 'invalid', name: 'DB_PORT', expected: 'an integer from 1 to 65,535', value: '70000' },
      {
        code: 'invalid',
        name: 'KAFKA_BROKERS',
        expected: expect.stringContaining('"k2" is not one'),
        value: 'k1:9092,k2',
      },
      {
        code: 'invalid',
        name: 'MEMORY_ORDERS_LIMIT',
        expected: 'an integer from 0 to 100,000,000',
        value: '-5',
      },
      {
        code: 'invalid',
        name: 'SERVER_GET_ORDER_BY_ID',
        expected: '1, 0, true or false',
        value: 'yes',
      },
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('Invalid configuration (5 problems):');
    expect(lines).toContain('  DB_PORT: expected an integer from 1 to 65,535, got "70000"');
    expect(lines).toHaveLength(6);
    expect(error.message).not.toMatch(/\bat .*\.ts:\d+/); // no stack frames in the text
  });

  it('parse and cross-field problems are reported together', () => {
    const error = fail({ DB_PORT: 'x', KAFKA_SASL_MECHANISM: 'plain', MEMORY_MAX_AGE: '14' });
    expect(error.issues.map((i) => [i.code, i.name])).toEqual([
      ['invalid', 'DB_PORT'],
      ['invalid', 'MEMORY_MAX_AGE'],
      ['required', 'KAFKA_SASL_USERNAME'],
      ['required', 'KAFKA_SASL_PASSWORD'],
    ]);
  });

  it('never throws, whatever the values', () => {
    const junk = [
      '',
      ' ',
      '\n',
      '-1',
      '1e309',
      'NaN',
      '%',
      '-----BEGIN X',
      '\u0000',
      'a'.repeat(5000),
    ];
    for (const [i, raw] of junk.entries()) {
      const env = Object.fromEntries(variableList.map((spec) => [spec.name, raw]));
      const result = loadConfig(env);
      expect(typeof result.ok, `junk #${i}`).toBe('boolean');
    }
  });

  it('long values are shortened in the message', () => {
    const error = fail({ KAFKA_TOPIC: 'x'.repeat(5000) });
    expect(error.message.length).toBeLessThan(500);
    expect(error.issues[0]?.value).toMatch(/… \(5000 characters\)$/);
  });
});

describe('secrets', () => {
  const sentinel = 'Sup3r-S3cret-Value';

  it('the DATABASE_URL password is masked in the error', () => {
    const error = fail({ DATABASE_URL: `postgres://svc:${sentinel}@db/x?sslmode=bogus` });
    expect(error.issues[0]?.value).toBe('postgres://svc:***@db/x?sslmode=bogus');
    expect(error.message).not.toContain(sentinel);
  });

  it('a DATABASE_URL that is not a valid URL is hidden whole (secrets.test.ts has more)', () => {
    const error = fail({ DATABASE_URL: `postgres://svc:${sentinel}@db:99999/x` });
    expect(error.issues[0]).toMatchObject({
      value: '***',
      expected: expect.stringMatching(/; the value is not a valid URL/),
    });
    expect(error.message).not.toContain(sentinel);
  });

  it('a password query parameter is masked too', () => {
    const error = fail({ DATABASE_URL: `postgres://db/x?sslmode=bogus&password=${sentinel}` });
    expect(error.message).toContain('password=***');
    expect(error.message).not.toContain(sentinel);
  });

  it('secrets never reach the message, even when a check names them', () => {
    const error = fail({
      POSTGRES_PASSWORD: sentinel,
      KAFKA_SASL_PASSWORD: sentinel,
      KAFKA_SSL_KEY: `-----BEGIN PRIVATE KEY-----\n${sentinel}`,
      DB_PORT: 'nope',
    });
    // SASL password without mechanism, truncated PEM key, key without cert, DB_PORT.
    expect(error.issues.map((i) => i.name)).toEqual([
      'DB_PORT',
      'KAFKA_SSL_KEY',
      'KAFKA_SASL_MECHANISM',
    ]);
    expect(error.issues.find((i) => i.name === 'KAFKA_SSL_KEY')?.value).toBe('***');
    expect(error.message).not.toContain(sentinel);
    expect(JSON.stringify(error.issues)).not.toContain(sentinel);
  });

  it('the password of a valid key-cert pair check is masked', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${sentinel}\n-----END PRIVATE KEY-----`;
    const error = fail({ KAFKA_SSL: '1', KAFKA_SSL_KEY: key });
    expect(error.issues).toEqual([
      { code: 'required', name: 'KAFKA_SSL_CERT', expected: expect.any(String) },
    ]);
    expect(error.message).not.toContain(sentinel);
  });

  it('secrets are taken verbatim (not trimmed)', () => {
    const config = load({ POSTGRES_PASSWORD: ' pw ' });
    expect(config.postgres.connectionString).toBe(
      'postgresql://orders:%20pw%20@127.0.0.1:5432/orders',
    );
  });
});

describe('deprecated seed names', () => {
  it('are read, with a warning', () => {
    const result = loadConfig({
      KAFKA_READER_GOROUTINES: '3',
      MEMORY_HANDLER_GOROUTINES: '7',
      KAFKA_WRITER_GOROUTINES: '9',
    });
    expect(result.ok && result.config.ingest.partitionsConcurrency).toBe(3);
    expect(result.ok && result.config.postgres.poolMax).toBe(7);
    expect(result.ok && result.config.producer.concurrency).toBe(9);
    expect(result.warnings).toEqual([
      'MEMORY_HANDLER_GOROUTINES is deprecated: use DB_POOL_MAX',
      'KAFKA_READER_GOROUTINES is deprecated: use INGEST_PARTITIONS_CONCURRENCY',
      'KAFKA_WRITER_GOROUTINES is deprecated: use PRODUCER_CONCURRENCY',
    ]);
  });

  it('the new name wins when both are set', () => {
    const result = loadConfig({
      INGEST_PARTITIONS_CONCURRENCY: '4',
      KAFKA_READER_GOROUTINES: 'junk',
    });
    expect(result.ok && result.config.ingest.partitionsConcurrency).toBe(4);
    expect(result.warnings).toContain(
      'KAFKA_READER_GOROUTINES is deprecated and ignored because INGEST_PARTITIONS_CONCURRENCY is set',
    );
  });

  it('an error names the alias that was set', () => {
    expect(fail({ KAFKA_WRITER_GOROUTINES: '0' }).issues[0]).toMatchObject({
      name: 'KAFKA_WRITER_GOROUTINES',
      expected: 'an integer from 1 to 1,000',
    });
  });
});

describe('Kafka SASL and TLS', () => {
  it('builds the kafkajs shapes', () => {
    const config = load({
      KAFKA_SSL: 'TRUE',
      KAFKA_SSL_CA: '/etc/ssl/kafka-ca.pem',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(config.kafka.ssl).toEqual({
      rejectUnauthorized: true,
      ca: { path: '/etc/ssl/kafka-ca.pem' },
    });
    expect(config.kafka.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'svc',
      password: 'pw',
    });
  });

  it('a mechanism needs user name and password', () => {
    const error = fail({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc' });
    expect(error.issues).toEqual([
      {
        code: 'required',
        name: 'KAFKA_SASL_PASSWORD',
        expected: 'a value when KAFKA_SASL_MECHANISM is set',
      },
    ]);
    expect(error.message).toContain(
      'KAFKA_SASL_PASSWORD: expected a value when KAFKA_SASL_MECHANISM is set, got nothing',
    );
  });

  it('credentials need a mechanism', () => {
    const error = fail({ KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'pw' });
    expect(error.issues.map((i) => [i.code, i.name])).toEqual([
      ['required', 'KAFKA_SASL_MECHANISM'],
    ]);
  });

  it('a bad mechanism is reported once, not again as missing', () => {
    const error = fail({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'svc' });
    expect(error.issues.map((i) => [i.code, i.name])).toEqual([
      ['invalid', 'KAFKA_SASL_MECHANISM'],
    ]);
  });

  it('TLS files need KAFKA_SSL=1, and certificate and key go together', () => {
    const error = fail({ KAFKA_SSL: '0', KAFKA_SSL_CERT: '/c.pem' });
    expect(error.issues).toEqual([
      {
        code: 'required',
        name: 'KAFKA_SSL',
        expected: '1 or true when KAFKA_SSL_CERT is set',
        value: '0',
      },
      {
        code: 'required',
        name: 'KAFKA_SSL_KEY',
        expected: 'the client key when KAFKA_SSL_CERT is set',
      },
    ]);
  });

  it('KAFKA_SSL_REJECT_UNAUTHORIZED=0 reaches the ssl options', () => {
    expect(load({ KAFKA_SSL: '1', KAFKA_SSL_REJECT_UNAUTHORIZED: '0' }).kafka.ssl).toEqual({
      rejectUnauthorized: false,
    });
  });
});

describe('PostgreSQL TLS', () => {
  it('DB_SSLMODE is added to the URL with libpq semantics', () => {
    const config = load({ DB_SSLMODE: 'require' });
    expect(config.postgres.connectionString).toBe(
      'postgresql://orders:orders@127.0.0.1:5432/orders?sslmode=require&uselibpqcompat=true',
    );
    expect(config.postgres.sslMode).toBe('require');
  });

  it('sslmode from DATABASE_URL is kept and reported', () => {
    const config = load({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=verify-full' });
    expect(config.postgres.sslMode).toBe('verify-full');
    expect(config.postgres.connectionString).toBe(
      'postgres://u:p@h/db?sslmode=verify-full&uselibpqcompat=true',
    );
  });

  it('the root certificate goes in sslrootcert', () => {
    const config = load({ DB_SSLMODE: 'verify-ca', DB_SSL_ROOT_CERT: '/etc/ssl/pg-ca.pem' });
    const url = new URL(config.postgres.connectionString);
    expect(url.searchParams.get('sslrootcert')).toBe('/etc/ssl/pg-ca.pem');
    expect(url.searchParams.get('sslmode')).toBe('verify-ca');
  });

  it('refuses disagreeing and incomplete settings', () => {
    expect(
      fail({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=disable', DB_SSLMODE: 'require' }).issues,
    ).toEqual([
      {
        code: 'conflict',
        name: 'DB_SSLMODE',
        expected: 'to be unset or agree with sslmode=disable in DATABASE_URL',
        value: 'require',
      },
    ]);
    expect(fail({ DB_SSLMODE: 'verify-ca' }).issues.map((i) => i.name)).toEqual([
      'DB_SSL_ROOT_CERT',
    ]);
    expect(fail({ DB_SSL_ROOT_CERT: '/ca.pem' }).issues.map((i) => i.name)).toEqual(['DB_SSLMODE']);
    expect(fail({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=prefer' }).issues[0]?.expected).toBe(
      'sslmode in the URL to be one of disable, require, verify-ca, verify-full',
    );
  });
});

describe('other cross-checks', () => {
  it('the dead-letter topic must not be the input topic', () => {
    expect(fail({ KAFKA_TOPIC: 'x', KAFKA_DLQ_TOPIC: 'x' }).issues[0]).toMatchObject({
      code: 'conflict',
      name: 'KAFKA_DLQ_TOPIC',
    });
  });

  it('a derived dead-letter name that is too long asks for KAFKA_DLQ_TOPIC', () => {
    expect(fail({ KAFKA_TOPIC: 'a'.repeat(249) }).issues[0]).toMatchObject({
      code: 'required',
      name: 'KAFKA_DLQ_TOPIC',
    });
    expect(load({ KAFKA_TOPIC: 'a'.repeat(249), KAFKA_DLQ_TOPIC: 'dlq' }).kafka.dlqTopic).toBe(
      'dlq',
    );
  });

  it('headers timeout may not exceed request timeout', () => {
    expect(
      fail({ SERVER_HEADERS_TIMEOUT_MS: '20000', SERVER_REQUEST_TIMEOUT_MS: '15000' }).issues[0],
    ).toMatchObject({ code: 'conflict', name: 'SERVER_HEADERS_TIMEOUT_MS', value: '20000' });
  });

  it('producer ratios add up to at most 1', () => {
    expect(
      load({ PRODUCER_INVALID_RATIO: '0.5', PRODUCER_UPDATE_RATIO: '0.5' }).producer,
    ).toMatchObject({ invalidRatio: 0.5, updateRatio: 0.5 });
    expect(
      fail({
        PRODUCER_INVALID_RATIO: '0.5',
        PRODUCER_DUPLICATE_RATIO: '0.4',
        PRODUCER_UPDATE_RATIO: '0.3',
      }).issues,
    ).toEqual([
      {
        code: 'conflict',
        name: 'PRODUCER_INVALID_RATIO + PRODUCER_DUPLICATE_RATIO + PRODUCER_UPDATE_RATIO',
        expected: 'ratios that add up to at most 1',
        value: '0.5 + 0.4 + 0.3',
      },
    ]);
  });
});

describe('warnings', () => {
  it('flags likely typos of our names, not unrelated variables', () => {
    const result = loadConfig({
      KAFKA_BROKER: 'x:1',
      db_port: '1',
      HOME: '/root',
      KAFKA_HOME: '/opt',
    });
    expect(result.warnings).toEqual([
      'KAFKA_BROKER is not a setting; did you mean KAFKA_BROKERS?',
      'db_port is not a setting; did you mean DB_PORT?',
    ]);
  });

  it('a pool no larger than the partition concurrency is worth a warning', () => {
    const result = loadConfig({ DB_POOL_MAX: '2', INGEST_PARTITIONS_CONCURRENCY: '2' });
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/^DB_POOL_MAX \(2\) is not above/)]);
  });
});
