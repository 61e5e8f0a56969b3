// close(): the suite's teardown on its own SIGTERM/SIGINT. A stand-in main.ts (a process that
// only waits) keeps this test free of Kafka and PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createIngestProcess, type IngestProcessOptions } from './ingest-process.ts';
import { isRunning } from './servers.ts';

/** A repository holding only the stand-in main.ts; removed when the test finishes. */
function fakeRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'faults-ingest-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'apps/ingest/src'), { recursive: true });
  // ignores SIGTERM like a stuck service would: only SIGKILL ends it
  writeFileSync(
    join(root, 'apps/ingest/src/main.ts'),
    "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up');\n",
  );
  return root;
}

/** The supervisor under test, closed (its child SIGKILLed) when the test finishes, pass or fail. */
function ingestProcess(o: IngestProcessOptions) {
  const ingest = createIngestProcess(o);
  onTestFinished(() => ingest.close('test finished'));
  return ingest;
}

describe('createIngestProcess close()', () => {
  it('kills the running child, records the cause, and refuses any later start', async () => {
    const root = fakeRepo();
    const ingest = ingestProcess({
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
    const ingest = ingestProcess({
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
