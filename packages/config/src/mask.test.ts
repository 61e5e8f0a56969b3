import { describe, expect, it } from 'vitest';
import { displayValue } from './mask.ts';
import { maskPostgresUrl } from './postgres-url.ts';
import { variables } from './variables.ts';

describe('displayValue', () => {
  it('never shows a full secret', () => {
    expect(displayValue('hunter2', 'full')).toBe('***');
  });
  it('hides inline PEM keys but shows key paths', () => {
    expect(displayValue('-----BEGIN PRIVATE KEY-----\nabc', 'pem')).toBe('***');
    expect(displayValue('/etc/kafka/client.key', 'pem')).toBe('/etc/kafka/client.key');
  });
  it('hides whatever in a key variable could be key text', () => {
    const base64 = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVcB/UNPxalR9zDYAjQIf';
    for (const raw of [
      'Bag Attributes\n    localKeyID: 01\n-----BEGIN PRIVATE KEY-----\nabc', // openssl pkcs12 output
      'Bag Attributes -----BEGIN PRIVATE KEY-----\\nabc', // the same with literal \n
      base64, // a key without its armour
      `${base64.slice(0, 64)}\\n${base64.slice(64)}`, // PEM body lines are 64 characters
      'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5', // base64 PEM
      '/etc/kafka/client.key\n',
    ]) {
      expect(displayValue(raw, 'pem'), raw).toBe('***');
    }
    expect(displayValue('/var/run/secrets/kafka.io~tls/..data/client-key.pem', 'pem')).toBe(
      '/var/run/secrets/kafka.io~tls/..data/client-key.pem',
    );
  });
  it('masks the password of a URL, and all of a value that is not one', () => {
    expect(displayValue('postgres://u:hunter2@h/db', 'url')).toBe('postgres://u:***@h/db');
    expect(displayValue('postgres:/u:hunter2@h/db', 'url')).toBe('***');
    expect(displayValue('hunter2', 'url')).toBe('***');
  });
  it('shows other values, shortened when long', () => {
    expect(displayValue('orders', undefined)).toBe('orders');
    const shown = displayValue('x'.repeat(300), undefined);
    expect(shown).toBe(`${'x'.repeat(80)}… (300 characters)`);
  });
  it('the secret variables are flagged as such', () => {
    expect(variables.POSTGRES_PASSWORD.secret).toBe('full');
    expect(variables.KAFKA_SASL_PASSWORD.secret).toBe('full');
    expect(variables.DATABASE_URL.secret).toBe('url');
    expect(variables.KAFKA_SSL_KEY.secret).toBe('pem');
  });
});

describe('maskPostgresUrl', () => {
  it.each([
    ['postgres://u:hunter2@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
    [
      'postgres://u:hunter2@h/db?password=hunter2&x=1',
      'postgres://u:***@h/db?password=***&***=***',
    ],
    // An unencoded & in the password: its end would show as a parameter.
    [
      'postgres://u@h/db?password=hun&ter2&sslmode=require',
      'postgres://u@h/db?password=***&***=***&sslmode=require',
    ],
    [
      'postgres://u@h/db?application_name=a/b&sslmode=require',
      'postgres://u@h/db?application_name=a/b&sslmode=require',
    ],
    ['postgres://u:hunter2@/db?host=/tmp', 'postgres://u:***@/db?host=/tmp'],
    [
      'postgres://u@h/db?PassWord=hunter2&SSLPASSWORD=x',
      'postgres://u@h/db?PassWord=***&SSLPASSWORD=***',
    ],
    ['postgres://u@h/db?pass%77ord=hunter2', 'postgres://u@h/db?password=***'],
    // Not a URL readPostgresUrl accepts: its password could be anywhere, so all of it goes.
    ['postgres://u:hun#ter2@h:99999/db', '***'],
    ['postgres://u:hunter2@h:99999/db', '***'],
    ['postgres:///u:hunter2@h/db', '***'],
    ['mysql://u:hunter2@h/db', '***'],
    ['junk?password=hunter2', '***'],
    ['hunter2', '***'],
  ])('%s → %s', (raw, masked) => {
    expect(maskPostgresUrl(raw)).toBe(masked);
  });
});
