import { createRegistry } from '@orders/metrics';
import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { createOperatingMetrics } from './operating-metrics.ts';

async function scrape(registry: ReturnType<typeof createRegistry>) {
  const parsed = parsePrometheusText(await registry.render());
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const families = parsed.families;
  return {
    families,
    value(name: string, labels: Record<string, string> = {}) {
      const samples = [...families.values()].flatMap((f) => f.samples);
      return samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    },
  };
}

function setup(start = 1_800_000_000_000) {
  const clock = { ms: start };
  const registry = createRegistry();
  const m = createOperatingMetrics(registry, { now: () => clock.ms });
  return { clock, registry, m };
}

describe('createOperatingMetrics', () => {
  it('every family has its HELP text; errors start at 0 and hold the time of the last one', async () => {
    const { clock, registry, m } = setup();
    let s = await scrape(registry);
    for (const family of s.families.values()) expect(family.help.length).toBeGreaterThan(20);
    for (const kind of ['postgres', 'kafka', 'dead_letter_publish']) {
      expect(s.value('orders_last_error_timestamp_seconds', { kind })).toBe(0);
    }
    m.error('kafka');
    clock.ms += 5_000;
    m.error('kafka');
    m.error('dead_letter_publish');
    s = await scrape(registry);
    expect(s.value('orders_last_error_timestamp_seconds', { kind: 'kafka' })).toBe(1_800_000_005);
    expect(s.value('orders_last_error_timestamp_seconds', { kind: 'postgres' })).toBe(0);
    expect(s.value('orders_last_error_timestamp_seconds', { kind: 'dead_letter_publish' })).toBe(
      1_800_000_005,
    );
  });

  it('paused: the gauge while paused, the seconds counted also while it lasts', async () => {
    const { clock, registry, m } = setup();
    let s = await scrape(registry);
    expect(s.value('orders_postgres_paused')).toBe(0);
    expect(s.value('orders_postgres_paused_seconds_total')).toBe(0);
    m.paused(true);
    clock.ms += 1_500;
    m.paused(true); // a second failure while paused changes nothing
    s = await scrape(registry);
    expect(s.value('orders_postgres_paused')).toBe(1);
    expect(s.value('orders_postgres_paused_seconds_total')).toBe(1.5);
    clock.ms += 500;
    m.paused(false);
    clock.ms += 10_000;
    m.paused(false);
    s = await scrape(registry);
    expect(s.value('orders_postgres_paused')).toBe(0);
    expect(s.value('orders_postgres_paused_seconds_total')).toBe(2);
    m.paused(true);
    clock.ms += 1_000;
    expect((await scrape(registry)).value('orders_postgres_paused_seconds_total')).toBe(3);
  });

  it('in flight, batch write and commit, rebalances', async () => {
    const { registry, m } = setup();
    m.inFlight(500);
    m.inFlight(200);
    m.inFlight(-500);
    m.batchWrite(0.004);
    m.batchWrite(0.03);
    m.batchCommit(0.002);
    m.rebalanced(3.2);
    const s = await scrape(registry);
    expect(s.value('orders_records_in_flight')).toBe(200);
    expect(s.value('orders_batch_write_duration_seconds_count')).toBe(2);
    expect(s.value('orders_batch_write_duration_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(s.value('orders_batch_write_duration_seconds_sum')).toBeCloseTo(0.034);
    expect(s.value('orders_batch_commit_duration_seconds_count')).toBe(1);
    expect(s.value('orders_rebalances_total')).toBe(1);
    expect(s.value('orders_rebalance_duration_seconds_bucket', { le: '2.5' })).toBe(0);
    expect(s.value('orders_rebalance_duration_seconds_bucket', { le: '5' })).toBe(1);
  });

  it('pool waiters and readiness are read at each scrape', async () => {
    const { registry, m } = setup();
    let s = await scrape(registry);
    expect(s.value('orders_ready')).toBe(0);
    expect(s.families.get('orders_pg_pool_waiting_clients')?.samples).toEqual([]);
    let waiting = 3;
    let ready = true;
    m.trackPools({ ingest: { waitingCount: () => waiting }, search: { waitingCount: () => 0 } });
    m.trackReadiness(() => ready);
    s = await scrape(registry);
    expect(s.value('orders_pg_pool_waiting_clients', { pool: 'ingest' })).toBe(3);
    expect(s.value('orders_pg_pool_waiting_clients', { pool: 'search' })).toBe(0);
    expect(s.value('orders_ready')).toBe(1);
    waiting = 0;
    ready = false;
    s = await scrape(registry);
    expect(s.value('orders_pg_pool_waiting_clients', { pool: 'ingest' })).toBe(0);
    expect(s.value('orders_ready')).toBe(0);
  });

  it('freshness: one observation per servable order, from its record timestamp', async () => {
    const { clock, registry, m } = setup();
    const at = clock.ms;
    // 20 ms, 400 ms, 3 s old; one from a producer clock 1 s ahead counts as 0
    m.servable([at - 20, at - 400, at - 3_000, at + 1_000].map((t) => ({ timestamp: String(t) })));
    m.servable([]);
    const s = await scrape(registry);
    expect(s.value('orders_freshness_seconds_count')).toBe(4);
    expect(s.value('orders_freshness_seconds_bucket', { le: '0.01' })).toBe(1);
    expect(s.value('orders_freshness_seconds_bucket', { le: '0.025' })).toBe(2);
    expect(s.value('orders_freshness_seconds_bucket', { le: '0.5' })).toBe(3);
    expect(s.value('orders_freshness_seconds_bucket', { le: '5' })).toBe(4);
    expect(s.value('orders_freshness_seconds_sum')).toBeCloseTo(3.42);
  });
});
