import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeConfigExit, runConfigAbuse } from './config-abuse.ts';

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

describe('runConfigAbuse when the suite is stopped by a signal', () => {
  it('kills the running children and starts no more', async () => {
    const root = mkdtempSync(join(tmpdir(), 'faults-config-'));
    try {
      mkdirSync(join(root, 'apps/ingest/src'), { recursive: true });
      // a stand-in service that accepts any value and never exits by itself
      writeFileSync(join(root, 'apps/ingest/src/main.ts'), 'setInterval(() => {}, 1000);\n');
      const stop = new AbortController();
      const run = runConfigAbuse({
        repoRoot: root,
        nodePath: process.execPath,
        cwd: root,
        baseEnv: {},
        signal: stop.signal,
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(childrenIn(root)).toHaveLength(2); // two workers
      const t = Date.now();
      stop.abort('SIGTERM');
      await expect(run).rejects.toBeDefined();
      expect(Date.now() - t).toBeLessThan(2_000);
      expect(childrenIn(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

function childrenIn(dir: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  });
}
