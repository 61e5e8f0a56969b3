// close(): the suite's teardown on its own SIGTERM/SIGINT. A stand-in main.ts (a process that
// only waits) keeps this test free of Kafka and PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createIngestProcess } from './ingest-process.ts';
import { isRunning } from './servers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'faults-ingest-'));
  dirs.push(root);
  mkdirSync(join(root, 'apps/ingest/src'), { recursive: true });
  // ignores SIGTERM like a stuck service would: only SIGKILL ends it
  writeFileSync(
    join(root, 'apps/ingest/src/main.ts'),
    "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up');\n",
  );
  return root;
}

describe('createIngestProcess close()', () => {
  it('kills the running child, records the cause, and refuses any later start', async () => {
    const root = fakeRepo();
    const ingest = createIngestProcess({
      repoRoot: root,
      nodePath: process.execPath,
      env: {},
      port: 0,
      logDir: root,
    });
    await ingest.start();
    const pid = ingest.pid() as number;
    await new Promise((r) => setTimeout(r, 200));
    expect(isRunning(pid)).toBe(true);

    await ingest.close('suite stopped (SIGTERM)');
    expect(isRunning(pid)).toBe(false);
    expect(ingest.running()).toBe(false);
    expect(ingest.exits).toMatchObject([
      { pid, signal: 'SIGKILL', cause: 'suite stopped (SIGTERM)' },
    ]);
    await expect(ingest.start()).rejects.toThrow(/stopping/);
    expect(ingest.running()).toBe(false);
  });

  it('with nothing running it only closes', async () => {
    const root = fakeRepo();
    const ingest = createIngestProcess({
      repoRoot: root,
      nodePath: process.execPath,
      env: {},
      port: 0,
      logDir: root,
    });
    await ingest.close('cleanup');
    expect(ingest.exits).toEqual([]);
    await expect(ingest.start()).rejects.toThrow(/stopping/);
  });
});
