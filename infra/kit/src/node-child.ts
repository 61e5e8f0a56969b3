// A Node script as a child process a test (or the fault suite) owns, the way both start the ingest
// service: an environment of the caller's making, a working directory away from the repository
// root, the output piped back, the exit awaited.
import { type ChildProcess, spawn } from 'node:child_process';

export type ChildExit = { pid: number; code: number | null; signal: NodeJS.Signals | null };

export type NodeChild = {
  proc: ChildProcess;
  pid: number | undefined;
  /** resolves once the process has exited */
  exited: Promise<ChildExit>;
  running(): boolean;
  /** sends `signal` unless the process has already exited */
  kill(signal: NodeJS.Signals): void;
};

export type NodeChildOptions = {
  /**
   * The child's whole environment, but PATH, which comes from this process: nothing of the
   * caller's shell (or a developer's exported variables) leaks in.
   */
  env: Record<string, string>;
  /**
   * The child's working directory. Not the repository root when the script reads the `.env` of
   * where it was started (ingest does): a developer's `.env` stays out.
   */
  cwd: string;
  /** the node binary (default: this process's) */
  nodePath?: string;
  /** each chunk of stdout and stderr, in the order they arrive */
  onOutput?(chunk: Buffer): void;
};

/** `node <script>` started now, owned by this process (`pid` is its child). */
export function startNodeChild(script: string, opts: NodeChildOptions): NodeChild {
  const proc = spawn(opts.nodePath ?? process.execPath, [script], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (opts.onOutput) {
    proc.stdout?.on('data', opts.onOutput);
    proc.stderr?.on('data', opts.onOutput);
  }
  const running = () => proc.exitCode === null && proc.signalCode === null;
  const exited = new Promise<ChildExit>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ pid: proc.pid ?? -1, code, signal })),
  );
  return {
    proc,
    pid: proc.pid,
    exited,
    running,
    kill: (signal) => {
      if (running()) proc.kill(signal);
    },
  };
}
