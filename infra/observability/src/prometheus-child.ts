// A Prometheus of a test's own: Debian's binary on a free port, its config and data in a fresh
// temporary folder, stopped (and the folder removed) by `stop()`. The rules are read and the
// expressions parsed by Prometheus itself, so the tests check what it will load.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@orders/testing';

export type TestPrometheus = {
  url: string;
  /** GET /api/v1/<path>; the `data` of a success, else throws with Prometheus's error */
  api<T>(path: string): Promise<T>;
  /** how Prometheus answers an instant query: undefined when it parses, else its error */
  parseError(expr: string): Promise<string | undefined>;
  stop(): Promise<void>;
};

export async function startTestPrometheus(configText: string): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'orders-prometheus-'));
  writeFileSync(join(dir, 'prometheus.yml'), configText);
  const port = await freePort();
  const output: string[] = [];
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('error', (err) => output.push(String(err)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(`prometheus exited at start:\n${output.join('').slice(-2000)}`);
        }
        return fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeoutMs: 20_000, what: 'prometheus ready' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${url}/api/v1/${path}`)).json()) as {
      status: string;
      data: T;
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    api,
    async parseError(expr) {
      const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { status: string; error?: string };
      return body.status === 'success' ? undefined : (body.error ?? `HTTP ${r.status}`);
    },
    stop,
  };
}

export type RuleGroup = { name: string; rules: Rule[] };
export type Rule = {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  health: string;
  lastError?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

/** Every rule Prometheus loaded, in file order. */
export async function loadedRules(prometheus: TestPrometheus): Promise<Rule[]> {
  const data = await prometheus.api<{ groups: RuleGroup[] }>('rules');
  return data.groups.flatMap((g) => g.rules);
}
