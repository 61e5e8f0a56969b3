import { describe, expect, it } from 'vitest';
import { readCrashHooks, wantsCrashHooks } from './crash-main.ts';

describe('crash hooks of the test entry point', () => {
  it('none unless asked', () => {
    const read = readCrashHooks({});
    expect(read).toEqual({ ok: true, hooks: {} });
    expect(wantsCrashHooks({ PATH: '/bin' })).toBe(false);
  });

  it('each hook from its variable', () => {
    const read = readCrashHooks({
      ORDERS_TEST_CRASH_AFTER_DB_COMMIT: '3',
      ORDERS_TEST_CRASH_AFTER_DLQ_PUBLISH: '1',
    });
    if (!read.ok) throw new Error(read.message);
    expect(typeof read.hooks.afterCommit).toBe('function');
    expect(typeof read.hooks.afterDlqPublish).toBe('function');
    expect(wantsCrashHooks({ ORDERS_TEST_CRASH_AFTER_DB_COMMIT: '3' })).toBe(true);
  });

  it('a malformed value is refused, naming the variable (it used to turn the hook off: NaN)', () => {
    for (const bad of ['', 'x', '0', '-1', '1.5', ' 2']) {
      const read = readCrashHooks({ ORDERS_TEST_CRASH_AFTER_DB_COMMIT: bad });
      expect(read.ok, bad).toBe(false);
      if (!read.ok) expect(read.message).toContain('ORDERS_TEST_CRASH_AFTER_DB_COMMIT');
    }
    expect(readCrashHooks({ ORDERS_TEST_CRASH_AFTER_DLQ_PUBLISH: 'yes' }).ok).toBe(false);
  });
});
