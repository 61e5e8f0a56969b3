// Collects every benchmark's results file into one table (bench/results/summary.md) and prints it.
// Each benchmark writes its own JSON; any numeric or string leaf becomes a row, so a benchmark can
// add figures without touching this script.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, 'results');

function leaves(value: unknown, path: string, out: [string, string][]): void {
  if (value === null || value === undefined) return;
  if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      leaves(child, path ? `${path}.${key}` : key, out);
    }
    return;
  }
  out.push([path, typeof value === 'number' ? formatNumber(value) : String(value)]);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(3);
}

const rows: string[] = ['| benchmark | figure | value |', '| --- | --- | --- |'];
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const found: [string, string][] = [];
  leaves(JSON.parse(readFileSync(join(dir, file), 'utf8')), '', found);
  for (const [key, value] of found)
    rows.push(`| ${file.replace(/\.json$/, '')} | ${key} | ${value} |`);
}
const table = `${rows.join('\n')}\n`;
writeFileSync(join(dir, 'summary.md'), table);
process.stdout.write(table);
