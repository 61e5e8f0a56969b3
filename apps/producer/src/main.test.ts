import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The CLI as a user runs it: Node 24 from the repository's node_modules/.bin.
const NODE_24 = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

type Run = { code: number | null; stdout: Buffer; stderr: string; ms: number };

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(existsSync(NODE_24) ? NODE_24 : process.execPath, [MAIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out), stderr: err, ms: performance.now() - started }),
    );
  });
}

describe('producer CLI', () => {
  const mixed = [
    '--dry-run',
    '--count',
    '3000',
    '--rate',
    '0',
    '--invalid-ratio',
    '0.1',
    '--duplicate-ratio',
    '0.1',
    '--update-ratio',
    '0.1',
  ];

  it('--dry-run with the same seed is byte-identical twice', async () => {
    const [a, b] = await Promise.all([
      cli([...mixed, '--seed', '42']),
      cli([...mixed, '--seed', '42']),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(1_000_000);
    expect(a.stdout.equals(b.stdout)).toBe(true);
    const lines = a.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    for (const line of lines) {
      const parsed = JSON.parse(line) as { key: unknown; value?: unknown; valueBase64?: unknown };
      expect(typeof parsed.key).toBe('string');
      expect('value' in parsed || typeof parsed.valueBase64 === 'string').toBe(true);
    }
    const other = await cli([...mixed, '--seed', '43']);
    expect(other.stdout.equals(a.stdout)).toBe(false);
  });

  it('prints a JSON summary with --json (on stderr when stdout carries the messages)', async () => {
    const run = await cli([
      '--dry-run',
      '--count',
      '50',
      '--seed',
      '1',
      '--json',
      '--invalid-ratio',
      '1',
    ]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stderr.trim().split('\n').at(-1) ?? '');
    expect(summary).toMatchObject({
      sent: 50,
      invalid: 50,
      valid: 0,
      errors: 0,
      seed: 1,
      stoppedBy: 'count',
      dryRun: true,
    });
  });

  it('rejects a bad flag with one line and exit code 2', async () => {
    for (const args of [['--rate', 'fast'], ['--bogus']]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^producer: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('answers --help on stdout', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toContain('--invalid-ratio');
  });

  it('fails with one line, quickly, when no broker answers', async () => {
    const run = await cli(['--brokers', '127.0.0.1:1', '--count', '10']);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^producer: cannot connect to Kafka at 127\.0\.0\.1:1: /);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('stops quietly with status 0 when the reader closes stdout (| head)', async () => {
    const child = spawn(
      existsSync(NODE_24) ? NODE_24 : process.execPath,
      [MAIN, '--dry-run', '--rate', '0', '--seed', '4'],
      { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toContain('producer:');
  });

  it('stops on SIGINT after flushing and prints the summary', async () => {
    const started = performance.now();
    const child = spawn(
      existsSync(NODE_24) ? NODE_24 : process.execPath,
      [MAIN, '--dry-run', '--rate', '200', '--json', '--seed', '3'],
      {
        env: { ...process.env, LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Wait for output, then interrupt.
    while (stdout.split('\n').length < 50 && performance.now() - started < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const summary = JSON.parse(stderr.trim().split('\n').at(-1) ?? '');
    expect(summary.stoppedBy).toBe('stopped');
    // Everything counted as sent was written, and nothing more.
    expect(stdout.trimEnd().split('\n')).toHaveLength(summary.sent);
  });
});
