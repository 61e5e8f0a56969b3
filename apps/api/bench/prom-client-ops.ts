// Temporary (issue 11.2): what one request's metrics cost on each registry, alone — one HTTP
// histogram observe and one lookup count, through children resolved once — and one scrape of the
// API's families. `node bench/prom-client-ops.ts`.
import { createRegistry } from '@orders/metrics';
import prom from 'prom-client';
import { createApiMetrics } from '../src/api-metrics.ts';
import { createPromClientRegistry } from './prom-client-registry.ts';

const N = 2_000_000;
function time(name: string, f: () => void): void {
  const results: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) f();
    results.push(Number(process.hrtime.bigint() - t) / N);
  }
  results.sort((a, b) => a - b);
  process.stdout.write(
    `${name.padEnd(22)} ${results[2]?.toFixed(0)} ns per request (median of 5)\n`,
  );
}

const ours = createApiMetrics({ registry: createRegistry() });
const theirs = createApiMetrics({ registry: createPromClientRegistry() });
let v = 0;
for (const [name, m] of [
  ['ours', ours],
  ['prom-client', theirs],
] as const) {
  const h = m.httpRequestDuration.labels('/orders/:order_uid', '200');
  const c = m.lookups.memory;
  time(name, () => {
    v = (v + 0.00013) % 0.01;
    h.observe(v);
    c.inc();
  });
}

// a scrape of the same families with 20 route/status series
const registry = new prom.Registry();
const hist = new prom.Histogram({
  name: 'http_request_duration_seconds',
  help: 'x',
  labelNames: ['route', 'status'],
  buckets: [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
  ],
  registers: [registry],
});
const ourRegistry = createRegistry();
const ourScrape = createApiMetrics({ registry: ourRegistry });
for (let r = 0; r < 10; r++) {
  for (const status of ['200', '404']) {
    hist.labels(`/r${r}`, status).observe(0.001);
    ourScrape.httpRequestDuration.labels(`/r${r}`, status).observe(0.001);
  }
}
const scrapes = 2000;
let t = process.hrtime.bigint();
for (let i = 0; i < scrapes; i++) ourRegistry.render();
const oursUs = Number(process.hrtime.bigint() - t) / scrapes / 1000;
t = process.hrtime.bigint();
for (let i = 0; i < scrapes; i++) await registry.metrics();
const theirsUs = Number(process.hrtime.bigint() - t) / scrapes / 1000;
process.stdout.write(
  `scrape, 20 HTTP series: ours ${oursUs.toFixed(0)} µs (${ourRegistry.render().length} B, all API families), prom-client ${theirsUs.toFixed(0)} µs (the HTTP histogram alone)\n`,
);
