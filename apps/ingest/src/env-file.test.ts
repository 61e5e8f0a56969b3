import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envFilePath, loadEnvFile } from './env-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function dirWith(envText?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  dirs.push(dir);
  if (envText !== undefined) writeFileSync(join(dir, '.env'), envText);
  return dir;
}

describe('envFilePath', () => {
  it('is the .env of the working directory, or of INIT_CWD when a package manager set it', () => {
    expect(envFilePath({}, '/srv/app')).toBe('/srv/app/.env');
    expect(envFilePath({ INIT_CWD: '/repo' }, '/repo/apps/ingest')).toBe('/repo/.env');
    expect(envFilePath({ INIT_CWD: '' }, '/srv/app')).toBe('/srv/app/.env');
  });
});

describe('loadEnvFile', () => {
  it('sets what the file holds; variables already set win', () => {
    const dir = dirWith('DB_PORT=5433\nLOG_LEVEL=debug\n');
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
    expect(loadEnvFile(env, dir)).toEqual({ path: join(dir, '.env'), loaded: true, set: 1 });
    expect(env).toEqual({ LOG_LEVEL: 'warn', DB_PORT: '5433' });
  });

  it('reads only that one file: not a parent directory’s', () => {
    const parent = dirWith('DB_PORT=1\n');
    const child = join(parent, 'apps');
    mkdirSync(child);
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(env, child)).toEqual({ path: join(child, '.env'), loaded: false });
    expect(env).toEqual({});
  });

  it('throws when the file exists but cannot be read', () => {
    const dir = dirWith();
    mkdirSync(join(dir, '.env'));
    expect(() => loadEnvFile({}, dir)).toThrow(/EISDIR/);
  });
});
