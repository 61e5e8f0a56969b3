import { LOG_LEVELS } from '@orders/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, errorFields, type LogLevel } from './logger.ts';

function capture(level: string) {
  const lines: string[] = [];
  const logger = createLogger({ level, write: (l) => lines.push(l) });
  return {
    logger,
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function writeOneOfEach(logger: ReturnType<typeof createLogger>): void {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLogger', () => {
  it('LOG_LEVEL filters: a level writes itself and everything more severe', () => {
    const expected: Record<LogLevel, string[]> = {
      debug: ['d', 'i', 'w', 'e'],
      info: ['i', 'w', 'e'],
      warn: ['w', 'e'],
      error: ['e'],
      silent: [],
    };
    for (const [level, msgs] of Object.entries(expected)) {
      const { logger, parsed } = capture(level);
      writeOneOfEach(logger);
      expect(parsed().map((l) => l.msg)).toEqual(msgs);
      expect(logger.level).toBe(level);
    }
  });

  it('accepts every LOG_LEVEL the config accepts (trace → debug, fatal → error), any case', () => {
    const mapped = Object.fromEntries(LOG_LEVELS.map((l) => [l, createLogger({ level: l }).level]));
    expect(mapped).toEqual({
      fatal: 'error',
      error: 'error',
      warn: 'warn',
      info: 'info',
      debug: 'debug',
      trace: 'debug',
      silent: 'silent',
    });
    expect(createLogger({ level: 'WARN' }).level).toBe('warn');
    // not reachable through the config (it rejects unknown levels), but never throws either
    expect(createLogger({ level: 'verbose' }).level).toBe('info');
  });

  it('writes one JSON object per line: time (ISO), level, msg, then base and call fields', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      write: (l) => lines.push(l),
      base: { service: 'ingest' },
    });
    logger.warn('two\nlines "quoted"', { partition: 2, nested: { a: [1] } });
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['time', 'level', 'msg', 'service', 'partition', 'nested']);
    expect(parsed).toMatchObject({
      level: 'warn',
      msg: 'two\nlines "quoted"',
      service: 'ingest',
      partition: 2,
      nested: { a: [1] },
    });
    expect(new Date(parsed.time as string).toISOString()).toBe(parsed.time);
  });

  it('a child adds its fields to every line and keeps the level and the sink', () => {
    const { logger, parsed } = capture('warn');
    const child = logger.child({ component: 'kafkajs' }).child({ groupId: 'g' });
    expect(child.level).toBe('warn');
    child.info('filtered');
    child.warn('kept', { topic: 't' });
    expect(parsed()).toEqual([
      expect.objectContaining({ msg: 'kept', component: 'kafkajs', groupId: 'g', topic: 't' }),
    ]);
  });

  it('fields that cannot be serialised never throw: the line keeps time, level and msg', () => {
    const { logger, parsed } = capture('info');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => logger.info('cycle', { cyclic })).not.toThrow();
    expect(() => logger.info('bigint', { n: 10n })).not.toThrow();
    expect(parsed().map((l) => Object.keys(l))).toEqual([
      ['time', 'level', 'msg'],
      ['time', 'level', 'msg'],
    ]);
  });

  it('writes to stdout, one line each, by default', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    createLogger({ level: 'info' }).info('hello', { n: 1 });
    expect(write).toHaveBeenCalledTimes(1);
    const text = String(write.mock.calls[0]?.[0]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ level: 'info', msg: 'hello', n: 1 });
  });
});

describe('errorFields', () => {
  it('keeps name, message and code only: no stack, no driver detail (it may quote the row)', () => {
    // what node-postgres throws for a CHECK violation: `detail` holds the whole failing row
    const err = Object.assign(new Error('new row for relation "orders" violates check'), {
      code: '23514',
      detail: 'Failing row contains (1, uid-1, {"delivery": {"name": "Jane Doe"}}).',
      where: 'SQL statement',
      query: 'INSERT INTO orders ...',
    });
    const fields = errorFields(err);
    expect(fields).toEqual({
      err: {
        name: 'Error',
        message: 'new row for relation "orders" violates check',
        code: '23514',
      },
    });
    const line = JSON.stringify(fields);
    expect(line).not.toContain('Jane Doe');
    expect(line).not.toContain('logger.test.ts'); // no stack frames
  });

  it('an error without a code has no code field; a non-Error becomes its string', () => {
    expect(errorFields(new TypeError('bad'))).toEqual({
      err: { name: 'TypeError', message: 'bad' },
    });
    expect(errorFields('plain')).toEqual({ err: { message: 'plain' } });
    expect(errorFields(undefined)).toEqual({ err: { message: 'undefined' } });
  });
});
