// main.ts as a process: configuration errors end it with the message and exit 1, no stack trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function run(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      out += d;
    });
    proc.on('exit', (code) => resolve({ code, out }));
  });
}

describe('main.ts', () => {
  it('bad configuration: every bad variable named, exit 1, no stack, no secret', async () => {
    const { code, out } = await run({
      SERVER_PORT: 'http',
      KAFKA_BROKERS: '',
      MEMORY_ORDERS_LIMIT: '-5',
      POSTGRES_PASSWORD: 'hunter2-secret',
      DB_PORT: 'x',
    });
    expect(code).toBe(1);
    for (const name of ['SERVER_PORT', 'MEMORY_ORDERS_LIMIT', 'DB_PORT']) {
      expect(out).toContain(name);
    }
    expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack frames
    expect(out).not.toContain('hunter2-secret');
  });
});
