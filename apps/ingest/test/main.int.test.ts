// main.ts as a process: configuration errors end it with the message and exit 1, no stack trace.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase } from '@orders/infra';
import { describe, expect, it } from 'vitest';
import { freePort } from './harness.ts';

function run(
  env: Record<string, string>,
  onOutput?: (out: string, kill: (s: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [join(import.meta.dirname, '../src/main.ts')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      onOutput?.(out, (signal) => proc.kill(signal));
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

  it('config warnings reach the operator (a misspelt variable is named with its fix)', async () => {
    const { code, out } = await run({ SERVER_PORT: 'http', KAFKA_BROKER: '127.0.0.1:9092' });
    expect(code).toBe(1);
    expect(out).toContain('KAFKA_BROKER is not a setting; did you mean KAFKA_BROKERS?');
  });

  it('SIGTERM while PostgreSQL is unreachable at start: exits 0 promptly', async () => {
    let signalled = 0;
    const started = Date.now();
    const { code, out } = await run(
      {
        DATABASE_URL: 'postgres://orders:orders@127.0.0.1:9/none',
        SERVER_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      (text, kill) => {
        if (!signalled && text.includes('postgres not reachable at start')) {
          signalled = Date.now();
          kill('SIGTERM');
        }
      },
    );
    expect(signalled).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(out).toContain('ingest stopped');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('Kafka unreachable at start: one error line naming the brokers tried, exit 1', async () => {
    const db = await createTestDatabase();
    try {
      const broker = `127.0.0.1:${await freePort()}`;
      const { code, out } = await run({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: broker,
        SERVER_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      });
      expect(code).toBe(1);
      const errors = out.split('\n').filter((l) => l.includes('"level":"error"'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`kafka not reachable: tried ${broker}`);
    } finally {
      await db.drop();
    }
  });
});
