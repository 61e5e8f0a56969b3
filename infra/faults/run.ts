// `pnpm test:faults`: the fault and bad-input suite (issue 6). FAULTS_SCALE=full|small,
// FAULTS_SEED=<n> to replay, FAULTS_NONE=1 for a baseline run without faults. Writes
// docs/reliability.md and exits non-zero when a check fails.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderReport } from './src/report.ts';
import { runSuite } from './src/run-suite.ts';
import { readRunSettings } from './src/settings.ts';

process.removeAllListeners('warning'); // kafkajs 2.2.4's harmless TimeoutNegativeWarning on Node 24

const repoRoot = resolve(import.meta.dirname, '../..');
const settings = readRunSettings(process.env);
const started = Date.now();
const log = (line: string) =>
  console.log(`[faults +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
log(`seed ${settings.seed} (replay with FAULTS_SEED=${settings.seed}), scale ${settings.scale}`);

try {
  const result = await runSuite({ settings, repoRoot, home: join(repoRoot, '.infra/faults'), log });
  const report = renderReport(result);
  const out = process.env.FAULTS_REPORT ?? join(repoRoot, 'docs/reliability.md');
  writeFileSync(out, report);
  log(`report written to ${out}`);
  if (result.failures.length > 0) {
    log(`FAIL (${result.failures.length}):\n  - ${result.failures.join('\n  - ')}`);
    process.exitCode = 1;
  } else log(`PASS in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`fault suite aborted: ${(err as Error).stack ?? err}`);
  process.exitCode = 2;
}
