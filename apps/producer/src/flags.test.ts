import { loadConfig } from '@orders/config';
import { describe, expect, it } from 'vitest';
import { INVALID_KINDS } from './bad-messages.ts';
import { defaultFlags, helpText, parseFlags } from './flags.ts';

function defaults(env: Record<string, string> = {}) {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.error.message);
  return defaultFlags(loaded.config);
}

describe('parseFlags', () => {
  it('takes its defaults from the environment', () => {
    const result = parseFlags(
      [],
      defaults({ PRODUCER_RATE: '250', KAFKA_TOPIC: 'from-env', PRODUCER_SEED: '4' }),
    );
    expect(result).toMatchObject({
      ok: true,
      help: false,
      flags: { rate: 250, topic: 'from-env', seed: 4 },
    });
  });

  it('lets flags win over the environment, in both --flag v and --flag=v forms', () => {
    const result = parseFlags(
      [
        '--rate',
        '0',
        '--topic=cli',
        '--count',
        '10',
        '--brokers',
        'a:1,b:2',
        '--dry-run',
        '--json',
      ],
      defaults({ PRODUCER_RATE: '250', KAFKA_TOPIC: 'from-env' }),
    );
    expect(result).toMatchObject({
      ok: true,
      flags: {
        rate: 0,
        topic: 'cli',
        count: 10,
        brokers: ['a:1', 'b:2'],
        dryRun: true,
        json: true,
      },
    });
  });

  it('parses ratios, invalid kinds, seed and base date', () => {
    const result = parseFlags(
      [
        '--invalid-ratio',
        '0.1',
        '--duplicate-ratio',
        '.2',
        '--update-ratio',
        '0.3',
        '--invalid-kinds',
        'oversize,not-json',
        '--seed',
        '42',
        '--base-date',
        '2025-06-01',
      ],
      defaults(),
    );
    expect(result).toMatchObject({
      ok: true,
      flags: {
        invalidRatio: 0.1,
        duplicateRatio: 0.2,
        updateRatio: 0.3,
        invalidKinds: ['oversize', 'not-json'],
        seed: 42,
        baseDate: Date.UTC(2025, 5, 1),
      },
    });
    const all = parseFlags([], defaults());
    expect(all.ok && !all.help && all.flags.invalidKinds).toEqual([...INVALID_KINDS]);
  });

  it.each([
    [['--nope'], 'unknown flag --nope'],
    [['--rate'], '--rate needs a value'],
    [['--rate', '--count', '1'], '--rate needs a value'],
    [['--rate', 'fast'], '--rate: expected an integer'],
    [['--count', '-1'], '--count: expected an integer'],
    [['--invalid-ratio', '1.5'], '--invalid-ratio: expected a decimal'],
    [['--invalid-kinds', 'oversize,bogus'], '--invalid-kinds: expected a comma-separated list'],
    [['--brokers', 'nohost'], '--brokers: expected'],
    [['--topic', 'bad topic'], '--topic: expected'],
    [['--base-date', 'tomorrow'], '--base-date: expected an ISO-8601'],
    [['--dry-run=yes'], '--dry-run takes no value'],
    [['stray'], 'unexpected argument "stray"'],
    [['--invalid-ratio', '0.6', '--update-ratio', '0.6'], 'must add up to at most 1'],
  ])('rejects %j with one line', (argv, message) => {
    const result = parseFlags(argv, defaults());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain(message);
    expect(result.error).not.toContain('\n');
  });

  it('skips the -- that pnpm passes along, and answers --help', () => {
    expect(parseFlags(['--', '--count', '3'], defaults())).toMatchObject({
      ok: true,
      flags: { count: 3 },
    });
    expect(parseFlags(['--count', '3', '--help'], defaults())).toEqual({ ok: true, help: true });
    expect(parseFlags(['-h'], defaults())).toEqual({ ok: true, help: true });
  });
});

describe('helpText', () => {
  it('lists every flag and every invalid kind', () => {
    const text = helpText();
    for (const flag of [
      '--count',
      '--rate',
      '--concurrency',
      '--batch',
      '--brokers',
      '--topic',
      '--invalid-ratio',
      '--invalid-kinds',
      '--duplicate-ratio',
      '--update-ratio',
      '--seed',
      '--base-date',
      '--dry-run',
      '--json',
      '--help',
    ]) {
      expect(text).toContain(flag);
    }
    for (const kind of INVALID_KINDS) expect(text).toContain(kind);
  });
});
