// `pnpm test:faults`: the fault and bad-input suite (issue 6). FAULTS_SCALE=full|small,
// FAULTS_SEED=<n> to replay, FAULTS_NONE=1 for a baseline run without faults. Writes
// docs/reliability.md (FAULTS_REPORT elsewhere) and every figure as JSON in the run's directory
// (FAULTS_RESULT elsewhere), and exits 1 when a check fails, 2 when the run could not complete, and
// 128 + signal number (130 SIGINT, 143 SIGTERM) when stopped by a signal — after stopping every
// process it started (ingest, its broker, its PostgreSQL), so none outlives it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readVariables } from '@orders/config';
import { runConfigAbuse } from './src/config-abuse.ts';
import { runHttpAbuse } from './src/http-abuse.ts';
import { renderReport } from './src/report.ts';
import { runSuite } from './src/run-suite.ts';
import { readRunSettings } from './src/settings.ts';

const repoRoot = resolve(import.meta.dirname, '../..');
const settings = (() => {
  try {
    return readRunSettings(process.env);
  } catch (err) {
    console.error(`fault suite: ${(err as Error).message}`);
    process.exit(2);
  }
})();
const started = Date.now();
const log = (line: string) =>
  console.log(`[faults +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
log(`seed ${settings.seed} (replay with FAULTS_SEED=${settings.seed}), scale ${settings.scale}`);

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
const stop = new AbortController();
let finished = false;
const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
  if (finished) process.exit(SIGNAL_EXIT[signal]); // servers already stopped
  if (stop.signal.aborted) {
    log(`${signal} again: still stopping the suite's processes`);
    return;
  }
  log(`${signal}: stopping ingest, the broker and PostgreSQL`);
  stop.abort(signal);
  // stopping takes ~1-2 s (SIGKILLs, pg_ctl -m immediate); never hang on it
  setTimeout(() => {
    log('could not stop everything within 30 s; exiting anyway');
    process.exit(SIGNAL_EXIT[signal]);
  }, 30_000).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  const home = settings.home ?? join(repoRoot, '.infra/faults');
  const result = await runSuite({
    settings,
    repoRoot,
    home,
    log,
    signal: stop.signal,
    async afterChecks(port, env, uids) {
      log('HTTP abuse (traversal, odd keys, methods, bodies, 1,000 concurrent, slowloris)');
      // the header timeout ingest runs with, by its own rule and default (@orders/config)
      const server = readVariables(env, ['SERVER_HEADERS_TIMEOUT_MS']);
      if (!server.ok) throw server.error;
      const headersTimeoutMs = server.values.SERVER_HEADERS_TIMEOUT_MS;
      const http = await runHttpAbuse({ port, present: uids, headersTimeoutMs });
      log(`HTTP abuse: ${http.failures.length === 0 ? 'ok' : http.failures.join('; ')}`);
      log('config abuse (each variable set to a bad value)');
      const config = await runConfigAbuse({
        repoRoot,
        nodePath: process.execPath,
        cwd: home,
        signal: stop.signal,
        // valid, and pointing at nothing: a bad value must stop the process before any I/O
        baseEnv: {
          KAFKA_BROKERS: '127.0.0.1:1',
          DB_PORT: '1',
          SERVER_PORT: '0',
          LOG_LEVEL: 'error',
        },
      });
      log(`config abuse: ${config.failures.length === 0 ? 'ok' : config.failures.join('; ')}`);
      return { 'HTTP abuse': http, 'Config abuse': config };
    },
  });
  finished = true;
  const report = renderReport(result);
  const out = process.env.FAULTS_REPORT ?? join(repoRoot, 'docs/reliability.md');
  writeFileSync(out, report);
  // biome pads the Markdown tables: the generated file is then exactly what 'biome ci' accepts
  try {
    execFileSync('biome', ['format', '--write', out], { stdio: 'ignore' });
  } catch {
    log('biome could not format the report (left unpadded)');
  }
  log(`report written to ${out}`);
  // every figure of the run, the poison backlog's included, for tools and later comparison
  const json = process.env.FAULTS_RESULT ?? join(home, `run-${settings.seed}`, 'result.json');
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  log(`result written to ${json}`);
  if (result.failures.length > 0) {
    log(`FAIL (${result.failures.length}):\n  - ${result.failures.join('\n  - ')}`);
    process.exitCode = 1;
  } else log(`PASS in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  if (stop.signal.aborted) {
    const signal = stop.signal.reason as keyof typeof SIGNAL_EXIT;
    log(`stopped by ${signal}: its processes are stopped; no report written`);
    // the run's steps may still hold sockets and timers: do not wait for them
    process.exit(SIGNAL_EXIT[signal]);
  }
  console.error(`fault suite aborted: ${(err as Error).stack ?? err}`);
  process.exitCode = 2;
} finally {
  finished = true;
}
