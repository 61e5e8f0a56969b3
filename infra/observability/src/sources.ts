// Where the observability files are, and what the tests read from them without a YAML parser:
// Prometheus reads the rules (prometheus-child.ts), the dashboard is JSON, and the few YAML
// facts needed are single lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const packageDir = resolve(import.meta.dirname, '..');
export const repoRoot = resolve(packageDir, '../..');
export const prometheusDir = join(packageDir, 'prometheus');
export const ruleFiles = ['recording.yml', 'alerts.yml'].map((f) => join(prometheusDir, f));
export const ruleTestFiles = readdirSync(join(prometheusDir, 'tests'))
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(prometheusDir, 'tests', f));
export const dashboardFile = join(packageDir, 'grafana/dashboards/orders.json');
export const datasourceFile = join(packageDir, 'grafana/provisioning/datasources/prometheus.yml');
export const operationsDoc = join(repoRoot, 'docs/operations.md');

export type Panel = {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { type: string; uid: string } }[];
  panels?: Panel[];
};

export function readDashboard(): { uid: string; title: string; panels: Panel[] } {
  return JSON.parse(readFileSync(dashboardFile, 'utf8'));
}

/** Every panel, those inside collapsed rows too. */
export function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Grafana's interval variables as Prometheus would see them once Grafana has filled them in. */
export function asPromQL(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');
}

/** The provisioned datasource's uid (its one `uid:` line). */
export function datasourceUid(): string | undefined {
  return /^\s*uid:\s*(\S+)\s*$/m.exec(readFileSync(datasourceFile, 'utf8'))?.[1];
}

/** The anchors GitHub gives docs/operations.md's headings (lower case, spaces to dashes). */
export function runbookAnchors(): Set<string> {
  const anchors = new Set<string>();
  for (const line of readFileSync(operationsDoc, 'utf8').split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (!heading?.[1]) continue;
    const text = heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '');
    anchors.add(text.replace(/\s/g, '-'));
  }
  return anchors;
}
