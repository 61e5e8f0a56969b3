// The demo's Prometheus: Debian's binary, detached like the broker (its own process group, output
// and data under .infra/prometheus), scraping the service with the repository's rules loaded, and
// left running for the next demo until `pnpm infra:down`.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraHome, repoRoot } from './paths.ts';
import { commandLine, isAlive, isPortOpen, sleep, which } from './proc.ts';

/** The rule files every Prometheus of ours loads (compose's mounts the same folder). */
export const RULES_DIR = join(repoRoot, 'infra/observability/prometheus');
export const RULE_FILES = ['recording.yml', 'alerts.yml'].map((f) => join(RULES_DIR, f));
/** The scrape job the alerts name (`up{job="orders-ingest"}`). */
export const SCRAPE_JOB = 'orders-ingest';

const home = join(infraHome, 'prometheus');
const files = {
  config: join(home, 'prometheus.yml'),
  data: join(home, 'data'),
  out: join(home, 'prometheus.out'),
  pid: join(home, 'prometheus.pid'),
};

/** A prometheus.yml scraping `targets` as SCRAPE_JOB with RULE_FILES (JSON is valid YAML). */
export function renderPrometheusConfig(opts: {
  targets: string[];
  intervalSeconds?: number;
}): string {
  const interval = `${opts.intervalSeconds ?? 5}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: RULE_FILES,
    scrape_configs: [{ job_name: SCRAPE_JOB, static_configs: [{ targets: opts.targets }] }],
  };
  return `# written by infra/kit (pnpm demo); edits are overwritten\n${JSON.stringify(config, null, 2)}\n`;
}

/** `alerts`: the alert page's URL (Debian's build serves only the classic UI, under /classic/). */
export type DemoPrometheus = { url: string; alerts: string } | { skipped: string };

/**
 * Starts (or, when ours already runs, reloads with SIGHUP) Prometheus on 127.0.0.1:`port`,
 * scraping the service at `target`. Never throws: a missing binary, a taken port or a failed start
 * is a reason to skip, for the demo to print and go on without it.
 */
export async function startDemoPrometheus(opts: {
  target: string;
  port: number;
}): Promise<DemoPrometheus> {
  if (!which('prometheus')) {
    return {
      skipped: 'not installed (apt-get install -y prometheus), the demo goes on without it',
    };
  }
  mkdirSync(files.data, { recursive: true });
  writeFileSync(files.config, renderPrometheusConfig({ targets: [opts.target] }));
  const url = `http://127.0.0.1:${opts.port}/`;
  const running = runningPid();
  if (running !== undefined && commandLine(running)?.includes(`127.0.0.1:${opts.port}`)) {
    process.kill(running, 'SIGHUP'); // re-reads the config: the service's port may have changed
    return { url, alerts: await alertsPage(url) };
  }
  if (running !== undefined) await stopPid(running);
  if (await isPortOpen('127.0.0.1', opts.port)) {
    return { skipped: `127.0.0.1:${opts.port} is taken by another process; not started` };
  }
  const out = openSync(files.out, 'w');
  const child = spawn(
    'prometheus',
    [
      `--config.file=${files.config}`,
      `--storage.tsdb.path=${files.data}`,
      '--storage.tsdb.retention.time=2d',
      `--web.listen-address=127.0.0.1:${opts.port}`,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.on('error', () => {});
  const pid = child.pid;
  if (pid === undefined) return { skipped: 'could not be started' };
  child.unref();
  writeFileSync(files.pid, `${pid}\n`);
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
    if (!isAlive(pid)) {
      const log = readFileSync(files.out, 'utf8').trim().split('\n').slice(-3).join('\n');
      return { skipped: `exited at start (.infra/prometheus/prometheus.out):\n${log}` };
    }
    const ready = await fetch(`${url}-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, alerts: await alertsPage(url) };
  }
  return { skipped: `not ready after 20 s (pid ${pid}, .infra/prometheus/prometheus.out)` };
}

/**
 * Where the alert page is: upstream's React UI serves /alerts; Debian's package is built without
 * it, answers /alerts with 404 and has the classic page at /classic/alerts.
 */
export async function alertsPage(url: string): Promise<string> {
  for (const path of ['alerts', 'classic/alerts']) {
    const ok = await fetch(`${url}${path}`, { redirect: 'manual' }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return `${url}${path}`;
  }
  return `${url}alerts`;
}

/** Stops the demo's Prometheus if it runs; returns its pid when it did. */
export async function stopDemoPrometheus(): Promise<number | undefined> {
  const pid = runningPid();
  if (pid !== undefined) await stopPid(pid);
  if (existsSync(files.pid)) writeFileSync(files.pid, '');
  return pid;
}

/** Our Prometheus's pid: the pid file's, alive, and started on our config (a pid is reused). */
function runningPid(): number | undefined {
  if (!existsSync(files.pid)) return undefined;
  const pid = Number(readFileSync(files.pid, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return commandLine(pid)?.includes(`--config.file=${files.config}`) ? pid : undefined;
}

async function stopPid(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
    if (!isAlive(pid)) return;
  }
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
}
