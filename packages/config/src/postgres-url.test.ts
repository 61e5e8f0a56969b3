import { describe, expect, it } from 'vitest';
import { postgresConnectionString, postgresUrl, readPostgresUrl } from './postgres-url.ts';

const NO_SCHEME = 'does not start with postgres:// or postgresql://';

describe('readPostgresUrl', () => {
  it.each([
    // A missing or mistyped scheme, a missing host, and a bare password.
    ['postgres:/orders:S3cret@127.0.0.1/db', NO_SCHEME],
    ['postgresql:orders:S3cret@h/db', NO_SCHEME],
    ['postgres//orders:S3cret@h/db', NO_SCHEME],
    ['postgres:///orders:S3cret@h/db', 'has no host'],
    ['S3cret', NO_SCHEME],
    ['postgres://', 'has no host'],
    [' postgres://u:S3cret@h/db', 'has white space at its start or end'],
    ['postgres://u:S3cret@h/db\n', 'has white space at its start or end'],
    // WHATWG URL would drop the newline and pg send "S3cret".
    ['postgres://u:S3c\nret@h/db', 'contains a control character (e.g. a newline)'],
    ['postgres://u:S3c\u0007ret@h/db', 'contains a control character (e.g. a newline)'],
    // Parsed, these would put "ret@h/db" or "ret" in a fragment, shown as is.
    ['postgres://u:S3c#ret@h/db', 'contains # (percent-encode it as %23)'],
    ['postgres://u@h/db?password=S3c#ret', 'contains # (percent-encode it as %23)'],
    // decodeURIComponent would throw on it (loadConfig used to).
    ['postgres://u%zz:S3cret@h/db', 'has a % not followed by two hex digits (write % as %25)'],
    ['postgres://u:S3cret@h:99999/db', 'is not a valid URL'],
    ['postgres://u:S3c/ret@h/db', 'is not a valid URL'],
    // Parse with host u, port 123 and the rest of the password in the path or the query.
    ['postgres://u:123/S3cret@h/db', 'has an @ after the host (percent-encode @ as %40)'],
    ['postgres://u:123?S3cret@h/db', 'has an @ after the host (percent-encode @ as %40)'],
    [
      'postgres:///orders:S3cret@h/db?host=/tmp',
      'has an @ after the host (percent-encode @ as %40)',
    ],
  ])('%j %s', (raw, problem) => {
    const read = readPostgresUrl(raw);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.problem.slice(0, problem.length)).toBe(problem);
    expect(read.problem).not.toContain('S3c');
  });

  it.each([
    ['postgres://u:S3cret@h/db', 'h'],
    ['POSTGRESQL://u:S3cret@h:6543/db', 'h'],
    ['postgres://u:S3c@ret@h/db', 'h'], // the last @ ends the password, as in pg
    ['postgres://u:p%40ss%23%20w@[::1]:5432/db', '[::1]'],
    ['postgresql://u:p@/db?host=/tmp', 'placeholder.invalid'],
    ['postgres:///db?host=/var/run/postgresql', ''],
  ])('accepts %j', (raw, hostname) => {
    const read = readPostgresUrl(raw);
    expect(read.ok && read.url.hostname).toBe(hostname);
  });
});

describe('postgresUrl', () => {
  it('names the shape problem after what it expects, never the value', () => {
    const parsed = postgresUrl.parse('postgres:/orders:S3cret@h/db');
    expect(parsed).toEqual({
      ok: false,
      expected: `${postgresUrl.expected}; the value ${NO_SCHEME}`,
    });
  });
});

describe('postgresConnectionString', () => {
  it('percent-encodes the parts and brackets an IPv6 host', () => {
    expect(
      postgresConnectionString({
        user: 'a@b',
        password: 'p:/w',
        database: 'd b',
        host: '::1',
        port: 5,
      }),
    ).toBe('postgresql://a%40b:p%3A%2Fw@[::1]:5/d%20b');
  });
  it('puts a Unix socket directory in host=, as pg reads it', () => {
    expect(
      postgresConnectionString({
        user: 'u',
        password: 'p',
        database: 'd',
        host: '/var/run/postgresql',
        port: 5433,
      }),
    ).toBe('postgresql://u:p@/d?host=%2Fvar%2Frun%2Fpostgresql&port=5433');
  });
});
