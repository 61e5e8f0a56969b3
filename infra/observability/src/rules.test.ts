// The rules as Prometheus itself loads them (a Prometheus of the test's own, no scrape target):
// every alert labelled and annotated with a runbook that exists, every rule evaluating without
// error, and every dashboard expression parsing.
import { renderPrometheusConfig } from '@orders/infra/prometheus';
import { waitFor } from '@orders/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadedRules,
  type Rule,
  startTestPrometheus,
  type TestPrometheus,
} from './prometheus-child.ts';
import { metricNames } from './promql-names.ts';
import { allPanels, asPromQL, readDashboard, runbookAnchors } from './sources.ts';

let prometheus: TestPrometheus;
let rules: Rule[];

beforeAll(async () => {
  prometheus = await startTestPrometheus(
    renderPrometheusConfig({ targets: [], intervalSeconds: 1 }),
  );
  rules = await loadedRules(prometheus);
});
afterAll(() => prometheus?.stop());

describe('alert rules', () => {
  const alerts = () => rules.filter((r) => r.type === 'alerting');

  it('are at least 8, with unique names', () => {
    const names = alerts().map((r) => r.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(new Set(names).size).toBe(names.length);
  });

  it('each have a severity, a summary, a description and a runbook in docs/operations.md', () => {
    const anchors = runbookAnchors();
    const problems: string[] = [];
    for (const alert of alerts()) {
      const severity = alert.labels?.severity ?? '';
      if (!['critical', 'warning'].includes(severity)) problems.push(`${alert.name}: severity`);
      for (const key of ['summary', 'description']) {
        if (!alert.annotations?.[key]?.trim()) problems.push(`${alert.name}: no ${key}`);
      }
      const anchor = /^docs\/operations\.md#(.+)$/.exec(alert.annotations?.runbook_url ?? '')?.[1];
      if (!anchor || !anchors.has(anchor)) problems.push(`${alert.name}: runbook ${anchor}`);
      if (anchor !== alert.name.toLowerCase()) problems.push(`${alert.name}: anchor ${anchor}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('every rule', () => {
  it('evaluates without error', async () => {
    await waitFor(
      async () => {
        rules = await loadedRules(prometheus);
        return rules.every((r) => r.health !== 'unknown');
      },
      { timeoutMs: 15_000, what: 'every rule evaluated once' },
    );
    const failing = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`);
    expect(failing).toEqual([]);
  });
});

describe("the dashboard's expressions", () => {
  const exprs = allPanels(readDashboard().panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: asPromQL(t.expr) })),
  );

  it('parse in Prometheus', async () => {
    const errors: string[] = [];
    for (const { panel, expr } of exprs) {
      const error = await prometheus.parseError(expr);
      if (error) errors.push(`${panel}: ${error}`);
    }
    expect(exprs.length).toBeGreaterThan(10);
    expect(errors).toEqual([]);
  });

  it('name only recording rules that exist', () => {
    const recorded = new Set(rules.filter((r) => r.type === 'recording').map((r) => r.name));
    const unknown = exprs
      .flatMap(({ expr }) => metricNames(expr))
      .filter((n) => n.includes(':') && !recorded.has(n));
    expect(unknown).toEqual([]);
  });
});
