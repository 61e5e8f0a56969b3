import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLock } from './lock.ts';
import { sleep } from './proc.ts';

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'infra-lock-')), 'up.lock');

describe('withLock', () => {
  it('never lets two holders overlap and removes the lock afterwards', async () => {
    const path = lockPath();
    const events: string[] = [];
    const hold = (name: string) =>
      withLock(path, async () => {
        events.push(`${name} in`);
        expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
        await sleep(50);
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.replace(' in', '')).toBe(events[i + 1]?.replace(' out', ''));
    }
    expect(events).toHaveLength(6);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock left by a process that died', async () => {
    const path = lockPath();
    const dead = spawnSync('true').pid;
    writeFileSync(path, String(dead));
    await expect(withLock(path, async () => 'ran', 2000)).resolves.toBe('ran');
  });

  it('times out with lock_timeout while a live process holds it', async () => {
    const path = lockPath();
    writeFileSync(path, String(process.ppid));
    await expect(withLock(path, async () => 'ran', 300)).rejects.toMatchObject({
      code: 'lock_timeout',
    });
  });
});
