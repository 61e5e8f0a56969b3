// Which .env the service reads (src/env-file.ts): `pnpm --filter ingest start` reads the one at the
// root of the workspace it runs in (the repository's .env), the harness's child reads none.
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useTestEnv } from './harness.ts';

const INGEST = join(import.meta.dirname, '..');
const BAD_PORT = 'not-a-port-from-dotenv';

/**
 * A pnpm workspace with a .env at its root (DB_PORT that refuses to start) and apps/ingest holding
 * the real start script and sources: the repository's layout, without writing a .env into the
 * repository other engineers run from.
 */
function workspaceWithEnvFile(): string {
  const root = mkdtempSync(join(tmpdir(), 'ingest-env-file-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const pkg = JSON.parse(readFileSync(join(INGEST, 'package.json'), 'utf8'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'env-file-test', private: true }),
  );
  writeFileSync(
    join(root, 'pnpm-workspace.yaml'),
    'packages:\n  - apps/ingest\nverifyDepsBeforeRun: false\n',
  );
  mkdirSync(join(root, 'apps/ingest'), { recursive: true });
  writeFileSync(
    join(root, 'apps/ingest/package.json'),
    JSON.stringify({ name: pkg.name, private: true, type: pkg.type, scripts: pkg.scripts }),
  );
  symlinkSync(join(INGEST, 'src'), join(root, 'apps/ingest/src'));
  // the repository's Node 24 (the root's nodejs-runtime), which pnpm puts first on PATH there
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  symlinkSync(process.execPath, join(root, 'node_modules/.bin/node'));
  writeFileSync(join(root, '.env'), `DB_PORT=${BAD_PORT}\n`);
  return root;
}

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, {
      cwd,
      // nothing of this process's environment but PATH and HOME (no INIT_CWD, no DB_PORT)
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      out += d;
    });
    proc.once('error', reject);
    proc.once('exit', (code) => resolve({ code, out }));
  });
}

const t = useTestEnv();

describe('.env', () => {
  it('`pnpm --filter @orders/ingest start` at the workspace root reads the root .env', async () => {
    const root = workspaceWithEnvFile();
    const { code, out } = await run('pnpm', ['--filter', '@orders/ingest', 'start'], root);
    expect(out).toContain(`DB_PORT: expected an integer from 1 to 65,535, got "${BAD_PORT}"`);
    expect(code).not.toBe(0);
  });

  it('the harness’s child reads none: not in its parent’s directory, nor in INIT_CWD', async () => {
    const root = workspaceWithEnvFile();
    await t.setup({ partitions: 1 });
    // the test process as if pnpm had been run at that root, in that root
    const cwd = process.cwd();
    const initCwd = process.env.INIT_CWD;
    process.chdir(root);
    process.env.INIT_CWD = root;
    let child: Awaited<ReturnType<typeof t.spawn>>;
    try {
      child = await t.spawn({ LOG_LEVEL: 'info' }); // ready: the .env's DB_PORT was not read
    } finally {
      process.chdir(cwd);
      if (initCwd === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = initCwd;
    }
    expect(child.output.join('')).not.toContain('.env read');
    const pid = child.proc.pid;
    expect(readlinkSync(`/proc/${pid}/cwd`)).toBe(join(INGEST, 'test'));
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(environ.filter((v) => v.startsWith('INIT_CWD=') || v.startsWith('DB_PORT='))).toEqual(
      [],
    );
  });
});
