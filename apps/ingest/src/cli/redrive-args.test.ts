import { describe, expect, it } from 'vitest';
import { DEFAULT_URL, parseInstant, parseRedriveArgs } from './redrive-args.ts';

const env = { ORDERS_ADMIN_TOKEN: 'tok-0123456789abcdef' };
const parse = (...argv: string[]) => parseRedriveArgs(argv, env);
const errors = (...argv: string[]) => {
  const r = parse(...argv);
  return r.ok ? [] : r.errors;
};

describe('parseRedriveArgs', () => {
  it('reads a filter, the options and the token', () => {
    const r = parse(
      '--',
      '--reason',
      'invalid_order',
      '--problem',
      'too_long',
      '--uid',
      'u1',
      '--partition',
      '2',
      '--since',
      '2026-12-01T00:00:00+01:00',
      '--rate',
      '20000',
      '--dry-run',
      '--outcome-wait',
      '5',
      '--url',
      'https://ingest.example:8443/',
    );
    expect(r).toEqual({
      ok: true,
      args: {
        url: 'https://ingest.example:8443',
        token: env.ORDERS_ADMIN_TOKEN,
        filter: {
          reason: 'invalid_order',
          problem: 'too_long',
          uid: 'u1',
          partition: 2,
          since: '2026-12-01T00:00:00+01:00',
        },
        dryRun: true,
        rate: 20000,
        again: false,
        includeRedriven: false,
        json: false,
        outcomeWaitMs: 5000,
      },
    });
  });

  it('--all selects every letter (an empty filter); the default url', () => {
    const r = parse('--all');
    expect(r.ok && 'args' in r && r.args).toMatchObject({ filter: {}, url: DEFAULT_URL });
  });

  it('--help', () => {
    expect(parse('--help')).toEqual({ ok: true, help: true });
  });

  it('refuses no selection, and two selections at once', () => {
    expect(errors()).toEqual([expect.stringContaining('choose letters')]);
    expect(errors('--ids', '1', '--reason', 'empty')).toEqual([
      '--ids and a filter cannot be combined: choose one',
    ]);
    expect(errors('--all', '--uid', 'x')).toHaveLength(1);
    expect(errors('--run', '3', '--ids', '1', '--rate', '5')).toEqual([
      expect.stringContaining('drop --ids --rate'),
    ]);
  });

  it.each([
    [['--reason', 'bogus'], '--reason must be one of'],
    [['--problem', 'bogus'], '--problem must be one of'],
    [['--uid', ''], '--uid must be'],
    [['--uid', 'a\u0000b'], '--uid must be'],
    [['--uid', 'x'.repeat(129)], '--uid must be'],
    [['--partition', '-1'], '--partition must be'],
    [['--since', '2026-12-03T10:00:00'], '--since must be an ISO 8601'],
    [['--until', 'yesterday'], '--until must be an ISO 8601'],
    [['--since', '2026-12-03', '--until', '2026-12-02'], '--since must be before --until'],
    [['--ids', '1,,2'], '--ids must be'],
    [['--ids', '0'], '--ids must be'],
    [['--rate', '20001'], '--rate must be an integer from 1 to 20000'],
    [['--rate', '1.5'], '--rate must be'],
    [['--run', 'abc'], '--run must be'],
    [['--outcome-wait', '-3'], '--outcome-wait must be'],
    [['--url', 'ftp://x'], '--url must be an http'],
    [['--url', 'http://u:p@host'], '--url must not hold credentials'],
    [['--rate'], '--rate needs a value'],
    [['--rate', '--again'], '--rate needs a value'],
    [['--dry-run=yes'], '--dry-run takes no value'],
    [['--again', '--again'], '--again is given 2 times'],
    [['stray'], 'unexpected argument at position 1'],
    [['--frob'], 'unknown flag --frob'],
  ])('%j → %s', (argv, message) => {
    const selected = argv[0] === '--run' ? argv : [...argv, '--all'];
    expect(errors(...selected).join('\n')).toContain(message);
  });

  it('reports every bad flag at once', () => {
    const list = errors('--reason', 'x', '--problem', 'y', '--rate', '0', '--since', 'z');
    expect(list).toHaveLength(4);
  });

  it('never takes the token as an argument, nor shows it', () => {
    const list = errors('--all', '--token', 's3cret-value-xyz');
    expect(list).toEqual([
      expect.stringContaining('--token is not accepted: set ORDERS_ADMIN_TOKEN'),
    ]);
    expect(list.join('')).not.toContain('s3cret');
    expect(errors('--all', '--token=s3cret').join('')).not.toContain('s3cret');
  });

  it('needs ORDERS_ADMIN_TOKEN, one token without spaces', () => {
    expect(parseRedriveArgs(['--all'], {})).toEqual({
      ok: false,
      errors: [expect.stringContaining('ORDERS_ADMIN_TOKEN is not set')],
    });
    const spaced = parseRedriveArgs(['--all'], { ORDERS_ADMIN_TOKEN: 'a b' });
    expect(spaced.ok ? '' : spaced.errors.join('')).toContain('must be one token');
  });
});

describe('parseInstant', () => {
  it('reads dates and date-times with a zone, as UTC epoch ms', () => {
    expect(parseInstant('2026-12-03')).toBe(Date.UTC(2026, 11, 3));
    expect(parseInstant('2026-12-03T14:05Z')).toBe(Date.UTC(2026, 11, 3, 14, 5));
    expect(parseInstant('2026-12-03T14:05:00.123456-02:00')).toBe(
      Date.UTC(2026, 11, 3, 16, 5, 0, 123),
    );
  });
  it.each(['2026-02-30', '2026-13-01', '2026-12-03T24:00Z', '2026-12-03T10:00', '03/12/2026', ''])(
    'refuses %j',
    (text) => {
      expect(parseInstant(text)).toBeUndefined();
    },
  );
});
