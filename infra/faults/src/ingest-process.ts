// The ingest service as a child process the suite owns: spawned from this process (so its pid is
// ours), its JSON log kept in a file, and every exit classified as caused by the suite or not.
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { type NodeChild, startNodeChild } from '@orders/infra';

export type ExitRecord = {
  pid: number;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** what the suite did to cause it, or undefined when nothing did */
  cause: string | undefined;
};

export type IngestProcess = {
  start(extraEnv?: Record<string, string>): Promise<void>;
  /** sends `signal` and waits for the exit; `cause` names the fault */
  signal(signal: NodeJS.Signals, cause: string): Promise<ExitRecord>;
  /** for a self-inflicted exit (the crash hook): wait for it, attributing it to `cause` */
  expectExit(cause: string, timeoutMs: number): Promise<ExitRecord>;
  running(): boolean;
  pid(): number | undefined;
  /**
   * The suite is stopping (its own SIGTERM/SIGINT): SIGKILL a running child, wait for its exit,
   * and refuse any later start, so a fault step still in flight cannot spawn a new one.
   */
  close(cause: string): Promise<void>;
  exits: ExitRecord[];
  port: number;
  /** log lines since start (parsed JSON where possible) */
  logLines(): Record<string, unknown>[];
};

export type IngestProcessOptions = {
  repoRoot: string;
  nodePath: string;
  env: Record<string, string>;
  port: number;
  logDir: string;
};

export function createIngestProcess(o: IngestProcessOptions): IngestProcess {
  let child: NodeChild | undefined;
  let expected: string | undefined;
  let exitWaiter: ((r: ExitRecord) => void) | undefined;
  let generation = 0;
  let closed = false;
  const exits: ExitRecord[] = [];
  const lines: Record<string, unknown>[] = [];
  let log: WriteStream | undefined;

  function lineReader(): (chunk: Buffer) => void {
    let partial = '';
    return (chunk) => {
      log?.write(chunk);
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.trim()) continue;
        try {
          lines.push({ ...(JSON.parse(line) as Record<string, unknown>), _gen: generation });
        } catch {
          lines.push({ msg: line, _gen: generation, _raw: true });
        }
      }
    };
  }

  function onExit(
    c: NodeChild,
    exit: { pid: number; code: number | null; signal: NodeJS.Signals | null },
  ): void {
    const rec: ExitRecord = { ...exit, at: Date.now(), cause: expected };
    exits.push(rec);
    expected = undefined;
    if (child === c) child = undefined;
    exitWaiter?.(rec);
    exitWaiter = undefined;
  }

  const waitExit = (timeoutMs: number) =>
    new Promise<ExitRecord>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('ingest did not exit in time')), timeoutMs);
      exitWaiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });

  return {
    exits,
    port: o.port,
    logLines: () => lines,
    running: () => child !== undefined,
    pid: () => child?.pid,
    async start(extraEnv = {}) {
      if (closed) throw new Error('ingest not started: the suite is stopping');
      if (child) throw new Error('ingest already running');
      generation++;
      log ??= createWriteStream(join(o.logDir, 'ingest.log'), { flags: 'a' });
      log.write(`\n### start #${generation} ${new Date().toISOString()}\n`);
      // cwd: the log dir, so a developer's .env at the repo root (dotenv) cannot leak in
      // the crash hooks live in ingest's test entry point, not in the shipped one
      const env = { ...o.env, ...extraEnv };
      const crash = Object.keys(env).some((k) => k.startsWith('ORDERS_TEST_CRASH_'));
      const entry = crash ? 'apps/ingest/test/crash-main.ts' : 'apps/ingest/src/main.ts';
      const c = startNodeChild(join(o.repoRoot, entry), {
        env,
        cwd: o.logDir,
        nodePath: o.nodePath,
        onOutput: lineReader(),
      });
      child = c;
      void c.exited.then((exit) => onExit(c, exit));
    },
    async signal(signal, cause) {
      const c = child;
      if (!c?.pid) throw new Error(`cannot send ${signal}: ingest is not running`);
      const done = waitExit(60_000);
      expected = cause;
      c.kill(signal);
      return done;
    },
    async close(cause) {
      closed = true;
      const c = child;
      if (!c?.pid) return;
      const done = Promise.race([
        c.exited,
        new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
      ]);
      expected = cause;
      c.kill('SIGKILL');
      await done;
    },
    async expectExit(cause, timeoutMs) {
      if (!child) throw new Error('ingest is not running');
      const done = waitExit(timeoutMs);
      expected = cause;
      return done;
    },
  };
}
