import { describe, expect, it } from 'vitest';
import { judgeConfigExit } from './config-abuse.ts';

describe('judgeConfigExit', () => {
  it('passes a non-zero exit whose message names the variable', () => {
    const out = 'invalid configuration:\n  DB_PORT: expected a port (1-65535), got "70000"\n';
    expect(judgeConfigExit('DB_PORT', 1, out)).toMatchObject({ pass: true, othersNamed: [] });
  });

  it('fails a zero exit, a message without the name, or a stack trace', () => {
    expect(judgeConfigExit('DB_PORT', 0, 'DB_PORT bad').pass).toBe(false);
    expect(judgeConfigExit('DB_PORT', 1, 'something is wrong').pass).toBe(false);
    const trace = 'DB_PORT bad\nError: x\n    at loadConfig (file:///x/load-config.ts:10:5)\n';
    expect(judgeConfigExit('DB_PORT', 1, trace)).toMatchObject({ pass: false, stackTrace: true });
  });

  it('lists other variables the message names', () => {
    const out = 'DB_PORT: bad\nKAFKA_TOPIC: bad';
    expect(judgeConfigExit('DB_PORT', 1, out).othersNamed).toEqual(['KAFKA_TOPIC']);
  });
});
