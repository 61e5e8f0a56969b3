// `pnpm demo`: local Kafka + PostgreSQL, the ingest service with its API, the load generator at a
// modest rate, and Prometheus scraping the service with the alert rules. Ctrl-C stops both apps
// (each finishes its in-flight work); the servers stay up for the next run (`pnpm infra:down`
// stops them).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readVariables } from '@orders/config';
import { InfraError } from './src/errors.ts';
import { startDemoPrometheus } from './src/prometheus.ts';
import { infraUp } from './src/up.ts';

const root = join(import.meta.dirname, '../..');
// the port ingest will listen on, by ingest's own rule and default (@orders/config)
const server = readVariables(process.env, ['SERVER_PORT']);
if (!server.ok) {
  console.error(`demo: ${server.error.message}`);
  process.exit(1);
}
const port = server.values.SERVER_PORT;
const rate = process.env.DEMO_RATE ?? '20';
const prometheusPort = Number(process.env.DEMO_PROMETHEUS_PORT ?? '9090');

try {
  await infraUp({ env: process.env, log: (line) => console.log(line) });
} catch (error) {
  console.error(`demo: ${error instanceof InfraError ? error.message : String(error)}`);
  process.exit(1);
}

function start(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  child.on('exit', (code, signal) => {
    console.log(`demo: ${name} exited (${signal ?? code})`);
    if (!stopping) stop(code ?? 1);
  });
  return child;
}

let stopping = false;
const children: ChildProcess[] = [];
function stop(code: number): void {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exitCode = code;
}

children.push(start('ingest', ['apps/ingest/src/main.ts']));
children.push(
  start('producer', ['apps/producer/src/main.ts', '--rate', rate, '--invalid-ratio', '0.02']),
);
const prometheus = await startDemoPrometheus({ target: `127.0.0.1:${port}`, port: prometheusPort });
console.log(`\n  orders is running: http://127.0.0.1:${port}/   (Ctrl-C to stop)`);
console.log(
  'url' in prometheus
    ? `  Prometheus:        ${prometheus.url}   (graphs; alerts: ${prometheus.alerts})\n`
    : `  Prometheus:        ${prometheus.skipped}\n`,
);

process.on('SIGINT', () => (stopping ? process.exit(130) : stop(0)));
process.on('SIGTERM', () => (stopping ? process.exit(143) : stop(0)));
