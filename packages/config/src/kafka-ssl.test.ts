import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readKafkaSsl } from './kafka-ssl.ts';

const dir = mkdtempSync(join(tmpdir(), 'orders-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CA = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n';

describe('readKafkaSsl', () => {
  it('off stays off', () => {
    expect(readKafkaSsl(false)).toEqual({ ok: true, ssl: false });
  });

  it('reads files and passes inline PEM through', () => {
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, CA);
    const result = readKafkaSsl({
      rejectUnauthorized: true,
      ca: { path: caPath },
      cert: { pem: CA },
      key: { pem: KEY },
    });
    expect(result).toEqual({
      ok: true,
      ssl: { rejectUnauthorized: true, ca: CA, cert: CA, key: KEY },
    });
  });

  it('reports every unreadable or non-PEM file, naming the variable', () => {
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const missing = join(dir, 'missing.pem');
    const result = readKafkaSsl({
      rejectUnauthorized: false,
      ca: { path: missing },
      key: { path: notPem },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      {
        code: 'unreadable',
        name: 'KAFKA_SSL_CA',
        expected: 'a readable PEM file (ENOENT)',
        value: missing,
      },
      {
        code: 'unreadable',
        name: 'KAFKA_SSL_KEY',
        expected: 'a file holding PEM text',
        value: notPem,
      },
    ]);
    expect(result.error.message).not.toContain('hello');
  });
});
