import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InfraError } from './errors.ts';
import { isAlive, sleep } from './proc.ts';

/**
 * Runs `fn` holding an exclusive lock file. turbo runs several packages' vitest at once and each
 * global setup calls ensureInfra(), so two `up`s must never start a second broker side by side.
 * A lock left by a dead process is taken over.
 */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  timeoutMs = 300_000,
): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = readQuietly(path);
      const holder = Number(text);
      if (!Number.isInteger(holder) || holder <= 0) {
        // caught between another process's open and write: look again shortly
        await sleep(100);
        if (readQuietly(path) === text) removeQuietly(path);
        continue;
      }
      if (!isAlive(holder)) {
        // left behind by a process that died
        if (readQuietly(path) === text) removeQuietly(path);
        continue;
      }
      if (Date.now() > deadline) {
        throw new InfraError('lock_timeout', `another infra:up/down (pid ${holder}) holds ${path}`);
      }
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    removeQuietly(path);
  }
}

function readQuietly(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}
