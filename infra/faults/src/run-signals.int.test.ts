// run.ts under SIGTERM/SIGINT: the real suite (own broker, own PostgreSQL, ingest) is started in
// a private home on free ports and stopped by a signal; it must exit 128 + signal number and
// leave no process behind (none whose command line or working directory is in that home).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPortOpen } from '@orders/infra/servers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isRunning } from './servers.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');
const runTs = resolve(import.meta.dirname, '../run.ts');

async function freePorts(): Promise<{ kafkaPort: number; pgPort: number }> {
  const free = async (port: number) => !(await isPortOpen('127.0.0.1', port, 300));
  for (;;) {
    // below the ephemeral range, like the suite's defaults
    const kafkaPort = 20_000 + Math.floor(Math.random() * 5_000) * 2;
    const pgPort = kafkaPort + 5;
    if ((await free(kafkaPort)) && (await free(kafkaPort + 1)) && (await free(pgPort))) {
      return { kafkaPort, pgPort };
    }
  }
}

type Suite = {
  child: ChildProcess;
  home: string;
  report: string;
  output(): string;
  waitForLine(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

async function startSuite(): Promise<Suite> {
  const home = join(repoRoot, '.infra', `faults-test-${randomUUID()}`);
  const { kafkaPort, pgPort } = await freePorts();
  const report = join(home, 'report.md');
  const child = spawn(process.execPath, [runTs], {
    env: {
      ...process.env,
      FAULTS_HOME: home,
      FAULTS_KAFKA_PORT: String(kafkaPort),
      FAULTS_PG_PORT: String(pgPort),
      FAULTS_REPORT: report,
      FAULTS_SCALE: 'small',
      FAULTS_SEED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  // the test owns the suite: stopped (SIGTERM, which stops its servers and ingest) if the test left
  // it running, then its home removed, pass or fail
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);
  return {
    child,
    home,
    report,
    output: () => text,
    exit,
    waitForLine: (re, timeoutMs) =>
      new Promise((ok, fail) => {
        const check = () => {
          const m = re.exec(text);
          if (!m) return;
          cleanup();
          ok(m);
        };
        const timer = setTimeout(() => {
          cleanup();
          fail(new Error(`no line matching ${re} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void exit.then(() => {
          if (waiters.has(check)) {
            cleanup();
            fail(new Error(`the suite exited before ${re}:\n${text}`));
          }
        });
        check();
      }),
  };
}

/** Live processes whose command line or working directory lies in `home`. */
function processesIn(home: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {}
      if (cmdline.includes(home) || cwd.startsWith(home)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('run.ts stopped by a signal', () => {
  it('SIGTERM once ingest is ready: ingest, broker and PostgreSQL are gone, exit 143', async () => {
    const suite = await startSuite();
    const servers = await suite.waitForLine(
      /servers up: broker pid (\d+), PostgreSQL pid (\d+)/,
      150_000,
    );
    const ingest = await suite.waitForLine(/ingest ready on \S+, pid (\d+)/, 120_000);
    const pids = [servers[1], servers[2], ingest[1]].map(Number);
    expect(pids.every(isRunning)).toBe(true);
    expect(processesIn(suite.home).length).toBeGreaterThanOrEqual(3);

    suite.child.kill('SIGTERM');
    const t = Date.now();
    const exit = await suite.exit;
    expect(exit, suite.output()).toEqual({ code: 143, signal: null });
    expect(Date.now() - t).toBeLessThan(20_000);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(processesIn(suite.home)).toEqual([]);
    expect(existsSync(suite.report)).toBe(false);
  }, 300_000);

  it('SIGINT while its servers are starting: nothing is left running, exit 130', async () => {
    const suite = await startSuite();
    await suite.waitForLine(/starting own Kafka/, 60_000);
    // inside the start: StorageTool format / initdb / the JVM coming up
    await new Promise((r) => setTimeout(r, 1_500));
    suite.child.kill('SIGINT');
    const exit = await suite.exit;
    expect(exit, suite.output()).toEqual({ code: 130, signal: null });
    expect(processesIn(suite.home)).toEqual([]);
    expect(existsSync(join(suite.home, 'pg/data/postmaster.pid'))).toBe(false);
    expect(existsSync(suite.report)).toBe(false);
  }, 300_000);
});
