// No secret reaches a message, a warning or a log line, however it was mistyped. Fixed
// cases for each shape, then a property-style sweep: seeded random passwords in many shapes.
import { seededRandom } from '@orders/testing';
import { describe, expect, it } from 'vitest';
import { readKafkaSsl } from './kafka-ssl.ts';
import { type Env, loadConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';

/** Every text an app prints or logs from loadConfig (and readKafkaSsl, files all missing). */
function outputs(env: Env): string[] {
  const result = loadConfig(env);
  const texts = [...result.warnings];
  if (!result.ok) {
    texts.push(result.error.message, ...result.error.issues.map((i) => i.value ?? ''));
    return texts;
  }
  texts.push(JSON.stringify(redactConfig(result.config)));
  const ssl = readKafkaSsl(result.config.kafka.ssl, () => {
    throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  });
  if (!ssl.ok) texts.push(ssl.error.message, ...ssl.error.issues.map((i) => i.value ?? ''));
  return texts;
}

/** No 5-character piece of the secret, as is, JSON-escaped (the message quotes) or percent-encoded. */
function expectHidden(texts: string[], secret: string): void {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  const pieces = forms.flatMap((form) =>
    Array.from({ length: Math.max(1, form.length - 4) }, (_, i) => form.slice(i, i + 5)),
  );
  for (const text of texts) {
    const leaked = pieces.find((piece) => text.includes(piece));
    expect(leaked, `${JSON.stringify(secret)} shows in ${JSON.stringify(text)}`).toBeUndefined();
  }
}

function databaseUrlIssue(raw: string) {
  const result = loadConfig({ DATABASE_URL: raw });
  return result.ok ? undefined : result.error.issues.find((i) => i.name === 'DATABASE_URL');
}

const PW = 'S3cr3t-Zq8x';
const ADMIN = 'S3cr3t-Zq8x-t0k3n-4f9aQ';

describe('a DATABASE_URL that is not a valid URL', () => {
  it.each([
    [`postgres:/orders:${PW}@127.0.0.1/db`, 'does not start with postgres:// or postgresql://'],
    [`postgresql:orders:${PW}@h/db`, 'does not start with postgres:// or postgresql://'],
    [`postgres//orders:${PW}@h/db`, 'does not start with postgres:// or postgresql://'],
    [`postgres:///orders:${PW}@h/db`, 'has no host'],
    [PW, 'does not start with postgres:// or postgresql://'],
    [`mysql://orders:${PW}@h/db`, 'does not start with postgres:// or postgresql://'],
    [`\tpostgres://orders:${PW}@h/db`, 'has white space at its start or end'],
    [`postgres://orders:${PW}\n@h/db`, 'contains a control character'],
    [`postgres://orders:${PW}#1@h/db`, 'contains #'],
    [`postgres://orders@h/db?password=#${PW}`, 'contains #'],
    [`postgres://orders:%${PW}@h/db`, 'has a % not followed by two hex digits'],
    [`postgres://orders:${PW}@h:99999/db`, 'is not a valid URL'],
    [`postgres://orders:${PW}/x@h/db`, 'is not a valid URL'],
    [`postgres://orders:1/${PW}@h/db`, 'has an @ after the host'],
    [`postgres://orders:1?${PW}@h/db`, 'has an @ after the host'],
  ])('%j is hidden whole: %s', (raw, problem) => {
    const issue = databaseUrlIssue(raw);
    expect(issue?.value).toBe('***');
    expect(issue?.expected).toContain(`; the value ${problem}`);
    expectHidden(outputs({ DATABASE_URL: raw }), PW);
  });
});

describe('a valid DATABASE_URL with an unusual password', () => {
  it.each([`a@b#c%d e\nf`, `${PW}@"'\\`, `pa&ss=${PW}`, `\u202e${PW}€`])(
    '%j is masked in the error and in redactConfig',
    (password) => {
      const encoded = encodeURIComponent(password);
      for (const raw of [
        `postgres://orders:${encoded}@h/db?sslmode=prefer`,
        `postgres://orders@h/db?password=${encoded}&sslmode=prefer`,
      ]) {
        expect(databaseUrlIssue(raw)?.value).toMatch(/^postgres:\/\/orders(:\*\*\*)?@h\/db\?/);
        expectHidden(outputs({ DATABASE_URL: raw }), password);
        expectHidden(outputs({ DATABASE_URL: raw.replace('prefer', 'require') }), password);
      }
    },
  );

  it('an unencoded & in a password parameter does not show its end', () => {
    const raw = `postgres://orders@h/db?password=pa&${PW}&sslmode=prefer`;
    expect(databaseUrlIssue(raw)?.value).toBe(
      'postgres://orders@h/db?password=***&***=***&sslmode=prefer',
    );
    expectHidden(outputs({ DATABASE_URL: raw.replace('prefer', 'require') }), PW);
  });
});

describe('the other secrets', () => {
  const pem = (body: string) => `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`;
  const base64 = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg'.repeat(2);
  const tls = { KAFKA_SSL: '1', KAFKA_SSL_CERT: '/etc/kafka/client.pem' };

  it.each([
    [
      'POSTGRES_PASSWORD, with a bad DB_PORT',
      PW,
      { POSTGRES_PASSWORD: `a@b#c%d e\n${PW}`, DB_PORT: 'x' },
    ],
    ['POSTGRES_PASSWORD, valid', PW, { POSTGRES_PASSWORD: ` ${PW}&=/?#% ` }],
    ['KAFKA_SASL_PASSWORD without a mechanism', PW, { KAFKA_SASL_PASSWORD: `${PW}\n` }],
    [
      'KAFKA_SASL_PASSWORD without a user name',
      PW,
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: PW },
    ],
    ['KAFKA_SSL_KEY, truncated PEM', PW, { KAFKA_SSL_KEY: `-----BEGIN PRIVATE KEY-----\n${PW}` }],
    [
      'KAFKA_SSL_KEY, PEM without KAFKA_SSL',
      PW,
      { KAFKA_SSL_KEY: pem(PW), KAFKA_SSL_CERT: pem('c') },
    ],
    ['KAFKA_SSL_KEY, openssl output', PW, { ...tls, KAFKA_SSL_KEY: `Bag Attributes\\n${pem(PW)}` }],
    ['KAFKA_SSL_KEY, key without armour', base64, { ...tls, KAFKA_SSL_KEY: base64 }],
    ['KAFKA_SSL_KEY, base64 of a PEM file', PW, { ...tls, KAFKA_SSL_KEY: btoa(pem(PW)) }],
    // Near misses of secret names: the warning names the variable, never its value.
    ['near-miss names', PW, { DATABASE_URI: PW, KAFKA_SASL_PASSWROD: PW, postgres_password: PW }],
    // ADMIN_TOKENS: valid (redactConfig), and refused in every way its parser can refuse
    ['ADMIN_TOKENS, valid', ADMIN, { ADMIN_TOKENS: `ops=${ADMIN},ci=${ADMIN}x` }],
    ['ADMIN_TOKENS, a secret alone', ADMIN, { ADMIN_TOKENS: ADMIN }],
    ['ADMIN_TOKENS, a secret with a space', ADMIN, { ADMIN_TOKENS: `ops=${ADMIN} 1` }],
    ['ADMIN_TOKENS, a short secret', 'Zq8x-t0k', { ADMIN_TOKENS: 'ops=Zq8x-t0k' }],
    ['ADMIN_TOKENS, a shared secret', ADMIN, { ADMIN_TOKENS: `ops=${ADMIN},ci=${ADMIN}` }],
    ['ADMIN_TOKENS, a name twice', ADMIN, { ADMIN_TOKENS: `ops=${ADMIN},ops=${ADMIN}2` }],
    ['ADMIN_TOKENS, with a bad DB_PORT', ADMIN, { ADMIN_TOKENS: `ops=${ADMIN}`, DB_PORT: 'x' }],
    ['ADMIN_TOKENS, a near miss', ADMIN, { ADMIN_TOKEN: `ops=${ADMIN}`, admin_tokens: ADMIN }],
  ])('%s', (_, secret, env: Env) => {
    const texts = outputs(env);
    expect(texts.length).toBeGreaterThan(0);
    expectHidden(texts, secret);
  });

  it('a key path that cannot be read is still shown', () => {
    const texts = outputs({ ...tls, KAFKA_SSL_KEY: '/etc/kafka/client.key' });
    expect(texts.join('\n')).toContain(
      'KAFKA_SSL_KEY: expected a readable PEM file (ENOENT), got "/etc/kafka/client.key"',
    );
  });
});

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'@#%:/?&=+ "\'\\$!*;,[]{}~-_.<>|`^',
  '\n',
  '\t',
  '\r',
  'é',
  '€',
  '\u202e',
  '\u0000',
];

/** Where a pasted password may end up in DATABASE_URL: most are malformed, some are valid. */
const SHAPES: ((pw: string) => string)[] = [
  (pw) => pw,
  (pw) => `postgres:/orders:${pw}@127.0.0.1/db`,
  (pw) => `postgresql:orders:${pw}@h/db`,
  (pw) => `postgres//orders:${pw}@h/db`,
  (pw) => `postgres:///orders:${pw}@h/db`,
  (pw) => `postgres:///orders:${pw}@h/db?host=/tmp`,
  (pw) => `postgres://orders:${pw}@h/db`,
  (pw) => `postgres://orders:${pw}@h:99999/db`,
  (pw) => `postgres://orders:${pw}@/db`,
  (pw) => `postgres://orders:${pw}@h/db?sslmode=prefer`,
  (pw) => `postgres://orders@h/db?sslmode=prefer&password=${pw}`,
  (pw) => `postgres://orders@h/db?password=${pw}&sslmode=prefer`,
  (pw) => `postgres://orders:${encodeURIComponent(pw)}@h/db?sslmode=prefer`,
  (pw) => ` postgres://orders:${pw}@h/db `,
  (pw) => `${pw}@h/db`,
];

describe('property: a random password in any shape never shows', () => {
  it.each([1, 2, 3, 4, 5])(
    'seed %i',
    (seed) => {
      const random = seededRandom(seed);
      for (let n = 0; n < 60; n++) {
        const length = 8 + Math.floor(random() * 17);
        const pw = Array.from(
          { length },
          () => ALPHABET[Math.floor(random() * ALPHABET.length)] ?? '',
        ).join('');
        if (pw.trim() === '') continue;
        for (const shape of SHAPES) {
          const raw = shape(pw);
          expectHidden(outputs({ DATABASE_URL: raw }), pw);
          expectHidden(outputs({ DATABASE_URL: raw, DB_PORT: 'x' }), pw);
          expectHidden(outputs({ POSTGRES_PASSWORD: raw, KAFKA_SASL_PASSWORD: raw }), pw);
          expectHidden(outputs({ ADMIN_TOKENS: raw }), pw);
          expectHidden(outputs({ ADMIN_TOKENS: `ops=${raw},ci=${raw}` }), pw);
        }
      }
      // ~2,700 loadConfig calls per seed: seconds alone, several times that under CI's parallel tasks
    },
    60_000,
  );
});
