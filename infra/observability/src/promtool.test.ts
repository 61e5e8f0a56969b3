// promtool's verdict on the rules and their unit tests (Debian's `prometheus` package; .ci/run
// installs it), and proof that each alert's tests can fail: with its expression made always true
// a "stays quiet" expectation must break, made never true a "fires" one must.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { packageDir, prometheusDir, repoRoot, ruleFiles, ruleTestFiles } from './sources.ts';

type Result = { code: number; output: string };

function run(command: string, args: string[], cwd = prometheusDir): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      const missing =
        code === 127 ? `${command} not found: apt-get install -y ${INSTALL[command]}\n` : '';
      resolve({ code, output: missing + stdout + stderr });
    });
  });
}
const INSTALL: Record<string, string> = {
  promtool: 'prometheus',
  'docker-compose': 'docker-compose',
};

const testFiles = ruleTestFiles.map((f) => join('tests', basename(f)));

describe('promtool', () => {
  it("check config accepts compose's prometheus.yml and the rule files it names", async () => {
    const r = await run('promtool', ['check', 'config', 'prometheus.yml']);
    expect(r.output).toContain('SUCCESS');
    expect(r.code, r.output).toBe(0);
  });

  it('check rules accepts every rule file', async () => {
    const r = await run('promtool', ['check', 'rules', ...ruleFiles]);
    expect(r.code, r.output).toBe(0);
  });

  it('test rules passes every unit test', async () => {
    expect(testFiles.length).toBeGreaterThan(0);
    const r = await run('promtool', ['test', 'rules', ...testFiles]);
    expect(r.code, r.output).toBe(0);
  });

  it('every alert has a test that fires it and one where it stays quiet', async () => {
    const alerts = readFileSync(join(prometheusDir, 'alerts.yml'), 'utf8');
    const names = [...alerts.matchAll(/- alert: (\w+)/g)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThanOrEqual(8);
    const unnoticed: string[] = [];
    for (const name of names) {
      const [quiet, fires] = await Promise.all([
        withExpr(alerts, name, 'vector(1)'),
        withExpr(alerts, name, 'vector(1) > 1'),
      ]);
      if (!new RegExp(`alertname: ${name}, time: [^,]+,\\s*exp:\\[\\],`).test(quiet.output)) {
        unnoticed.push(`${name}: no test expects it quiet (made always true)`);
      }
      if (!new RegExp(`alertname: ${name}, time: [^,]+,\\s*exp:\\[\\s*0:`).test(fires.output)) {
        unnoticed.push(`${name}: no test expects it to fire (made never true)`);
      }
    }
    expect(unnoticed).toEqual([]);
  });
});

/** promtool test rules over a copy of the rules where one alert's expression is `expr`. */
async function withExpr(alerts: string, name: string, expr: string): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'orders-rules-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(prometheusDir, dir, { recursive: true });
  const mutated = alerts.replace(new RegExp(`(- alert: ${name}\\n\\s+expr: ).*`), `$1${expr}`);
  expect(mutated, `the expr of ${name} (one line, right after its name)`).not.toBe(alerts);
  writeFileSync(join(dir, 'alerts.yml'), mutated);
  // only the files that test this alert: a run per file is what takes the time
  const files = ruleTestFiles.filter((f) =>
    readFileSync(f, 'utf8').includes(`alertname: ${name}\n`),
  );
  if (files.length === 0) return { code: 1, output: '' };
  return run('promtool', ['test', 'rules', ...files.map((f) => join('tests', basename(f)))], dir);
}

describe("compose's monitoring profile", () => {
  it('validates with the prometheus and grafana services', async () => {
    const file = join(repoRoot, 'compose.yaml');
    const check = await run(
      'docker-compose',
      ['-f', file, '--profile', 'monitoring', 'config', '-q'],
      packageDir,
    );
    expect(check.code, check.output).toBe(0);
    const services = await run(
      'docker-compose',
      ['-f', file, '--profile', 'monitoring', 'config', '--services'],
      packageDir,
    );
    expect(services.output.split('\n')).toEqual(expect.arrayContaining(['prometheus', 'grafana']));
  });
});
