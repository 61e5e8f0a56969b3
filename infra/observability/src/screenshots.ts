// `pnpm --filter @orders/observability screenshots`, with `pnpm demo` running: headless Chromium
// (Debian's, through playwright-core) photographs the demo's Prometheus — a graph of the
// recording rules and the alert page — into docs/img/ for docs/operations.md.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { alertsPage } from '@orders/infra/prometheus';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const base = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090/';
const out = join(import.meta.dirname, '../../../docs/img');

/** The graphs the first screen of an operator's shift asks about. */
const graphs = [
  'orders:ingested:rate5m',
  'orders:dead_lettered:rate5m',
  'orders:consumer_lag:sum',
  'orders:freshness_seconds:p99_5m',
];

if (!existsSync(CHROMIUM)) {
  console.error(`screenshots: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  process.exit(1);
}
const ready = await fetch(new URL('-/ready', base)).catch(() => undefined);
if (!ready?.ok) {
  console.error(`screenshots: no Prometheus answers at ${base}; start \`pnpm demo\` first`);
  process.exit(1);
}
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  // tall viewports rather than fullPage: the page's fixed navigation bar would be drawn mid-image
  const page = await browser.newPage({ viewport: { width: 1280, height: 2900 } });
  const query = graphs
    .map((expr, i) => `g${i}.expr=${encodeURIComponent(expr)}&g${i}.tab=0&g${i}.range_input=15m`)
    .join('&');
  await page.goto(new URL(`graph?${query}`, base).href, { waitUntil: 'networkidle' });
  await page
    .waitForSelector('canvas, svg.uplot, .graph-chart', { timeout: 15_000 })
    .catch(() => {});
  await page.screenshot({ path: join(out, 'prometheus-graph.png') });
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.goto(await alertsPage(base), { waitUntil: 'networkidle' });
  await page.screenshot({ path: join(out, 'prometheus-alerts.png') });
  console.log(`screenshots: ${out}/prometheus-graph.png, prometheus-alerts.png`);
} finally {
  await browser.close();
}
