import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';

const sentinel = 'Sup3r-S3cret-Value';

function config(env: Record<string, string>) {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.error.message);
  return result.config;
}

describe('redactConfig', () => {
  it('masks the PostgreSQL password built from the parts', () => {
    const redacted = redactConfig(config({ POSTGRES_PASSWORD: sentinel }));
    expect(redacted.postgres.connectionString).toBe(
      'postgresql://orders:***@127.0.0.1:5432/orders',
    );
  });

  it('masks every secret and keeps everything else', () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${sentinel}\n-----END PRIVATE KEY-----`;
    const original = config({
      DATABASE_URL: `postgres://svc:${sentinel}@db/x?password=${sentinel}`,
      KAFKA_SSL: '1',
      KAFKA_SSL_CERT: '/etc/kafka/client.pem',
      KAFKA_SSL_KEY: key,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: sentinel,
      ADMIN_TOKENS: `ops=${sentinel}-ops,ci=${sentinel}-ci`,
    });
    const redacted = redactConfig(original);
    expect(JSON.stringify(redacted)).not.toContain(sentinel);
    expect(redacted.postgres.connectionString).toBe('postgres://svc:***@db/x?password=***');
    expect(redacted.kafka.sasl).toEqual({ mechanism: 'plain', username: 'svc', password: '***' });
    expect(redacted.kafka.ssl).toEqual({
      rejectUnauthorized: true,
      cert: { path: '/etc/kafka/client.pem' },
      key: { pem: '***' },
    });
    expect(redacted.admin.tokens).toEqual([
      { name: 'ops', secret: '***' },
      { name: 'ci', secret: '***' },
    ]);
    // Everything that is not a secret is unchanged, and the original is untouched.
    expect({
      ...redacted,
      postgres: original.postgres,
      kafka: original.kafka,
      admin: original.admin,
    }).toEqual(original);
    expect(original.admin.tokens[0]?.secret).toBe(`${sentinel}-ops`);
    expect(redacted.kafka.brokers).toEqual(original.kafka.brokers);
    expect(original.kafka.sasl?.password).toBe(sentinel);
    expect(original.postgres.connectionString).toContain(sentinel);
  });

  it('keeps a key path (not a secret) visible', () => {
    const redacted = redactConfig(
      config({ KAFKA_SSL: '1', KAFKA_SSL_CERT: '/c.pem', KAFKA_SSL_KEY: '/k.pem' }),
    );
    expect(redacted.kafka.ssl).toMatchObject({ key: { path: '/k.pem' } });
  });
});
