import { describe, expect, it } from 'vitest';
import { allPanels, datasourceUid, readDashboard } from './sources.ts';

describe('the Grafana dashboard', () => {
  const dashboard = readDashboard();
  const panels = allPanels(dashboard.panels);
  const graphs = panels.filter((p) => p.type !== 'row');

  it('parses, with a uid and unique panel ids', () => {
    expect(dashboard.uid).toBe('orders');
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries the provisioned datasource from every panel and target', () => {
    const uid = datasourceUid();
    expect(uid).toBe('orders-prometheus');
    const wrong = graphs.flatMap((p) =>
      [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]
        .filter((d) => d?.uid !== uid || d?.type !== 'prometheus')
        .map(() => p.title),
    );
    expect(wrong).toEqual([]);
  });

  it('has an expression in every panel', () => {
    const empty = graphs.filter((p) => !(p.targets ?? []).some((t) => t.expr.trim() !== ''));
    expect(empty.map((p) => p.title)).toEqual([]);
  });

  it('shows what an operator looks at first', () => {
    const titles = graphs.map((p) => p.title).join('\n');
    for (const topic of [
      /throughput/i,
      /lag/i,
      /freshness/i,
      /dead letters by reason/i,
      /postgresql pauses/i,
      /http requests/i,
      /http latency/i,
      /store size/i,
      /evictions/i,
    ]) {
      expect(titles).toMatch(topic);
    }
  });
});
