import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { formatInstant, instantOfStoredAt, parseInstant } from './instant.ts';

describe('cursor', () => {
  it('round-trips a position to the microsecond', () => {
    for (const position of [
      { storedAt: '2026-12-01T10:00:00.000001Z', id: 1 },
      { storedAt: '1970-01-01T00:00:00.000000Z', id: Number.MAX_SAFE_INTEGER },
      { storedAt: '9999-12-31T23:59:59.999999Z', id: 42 },
    ]) {
      const token = encodeCursor(position);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(token)).toEqual(position);
    }
  });

  it('decodes only its own exact encoding', () => {
    const token = encodeCursor({ storedAt: '2026-12-01T10:00:00.000001Z', id: 7 });
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const bad of [
      '',
      `${token}=`,
      `${token}A`,
      token.slice(0, -1),
      Buffer.from('v1.1764583200000001.77').toString('base64'), // padded: not base64url
      b64('v2.1764583200000001.7'),
      b64('v1.1764583200000001.0'),
      b64('v1.1764583200000001.07'),
      b64('v1.-1.7'),
      b64('v1.253402300800000000.7'), // year 10000
      b64('v1.1.9007199254740992'),
      b64('v1.1.7 OR 1=1'),
      b64('v1.1.7\n'),
      'A'.repeat(65),
    ]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
  });

  it('refuses to encode what is not a ledger position', () => {
    expect(() => encodeCursor({ storedAt: '2026-12-01T10:00:00Z', id: 1 })).toThrow();
    expect(() => encodeCursor({ storedAt: '2026-12-01T10:00:00.000001Z', id: 0 })).toThrow();
  });
});

describe('instants', () => {
  it('reads dates and zoned date-times to the microsecond', () => {
    expect(parseInstant('1970-01-01')).toBe(0n);
    expect(parseInstant('1970-01-01T00:00:00.000001Z')).toBe(1n);
    expect(parseInstant('1970-01-01T01:00+01:00')).toBe(0n);
    expect(parseInstant('2024-02-29T12:00:00.5-00:30')).toBe(
      BigInt(Date.parse('2024-02-29T12:30:00.500Z')) * 1000n,
    );
    expect(parseInstant('0001-01-01')).toBe(BigInt(Date.parse('0001-01-01T00:00:00Z')) * 1000n);
  });

  it('refuses what is not one', () => {
    for (const text of [
      '',
      '2026-13-01',
      '2026-02-29',
      '2026-04-31',
      '0000-01-01',
      '2026-12-01T24:00Z',
      '2026-12-01T10:60Z',
      '2026-12-01T10:00:60Z',
      '2026-12-01T10:00',
      '2026-12-01T10:00:00.1234567Z',
      '2026-12-01T10:00:00+24:00',
      '2026-12-01 10:00:00Z',
      '12/01/2026',
      '1764583200',
    ]) {
      expect(parseInstant(text), text).toBeUndefined();
    }
  });

  it('formats what PostgreSQL reads back exactly, and reads the reader back', () => {
    expect(formatInstant(1n)).toBe('1970-01-01T00:00:00.000001Z');
    expect(formatInstant(-1n)).toBe('1969-12-31T23:59:59.999999Z');
    expect(instantOfStoredAt('2026-12-01T10:00:00.123456Z')).toBe(
      BigInt(Date.parse('2026-12-01T10:00:00.123Z')) * 1000n + 456n,
    );
    expect(instantOfStoredAt('2026-12-01T10:00:00.123Z')).toBeUndefined();
  });
});
