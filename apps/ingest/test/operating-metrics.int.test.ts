// The operating families in a live /metrics scrape: each present with its HELP text and sensible
// values after ingesting through real Kafka and PostgreSQL; the lag only of the partitions owned.
import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import { produce, type Running, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

const OPERATING = [
  'orders_last_error_timestamp_seconds',
  'orders_records_in_flight',
  'orders_batch_write_duration_seconds',
  'orders_batch_commit_duration_seconds',
  'orders_postgres_paused',
  'orders_postgres_paused_seconds_total',
  'orders_rebalances_total',
  'orders_rebalance_duration_seconds',
  'orders_event_loop_delay_p99_seconds',
  'orders_pg_pool_waiting_clients',
  'orders_ready',
  'orders_freshness_seconds',
  'orders_consumer_lag',
  'orders_ingest_retries_total',
];

async function scrape(svc: Running) {
  const parsed = parsePrometheusText(await (await fetch(`${svc.url}/metrics`)).text());
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const samples = [...parsed.families.values()].flatMap((f) => f.samples);
  return {
    families: parsed.families,
    value(name: string, labels: Record<string, string> = {}) {
      return samples.find(
        (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    },
    /** the partitions orders_consumer_lag reports, sorted */
    lagPartitions: () =>
      (parsed.families.get('orders_consumer_lag')?.samples ?? [])
        .map((s) => Number(s.labels.partition))
        .sort((a, b) => a - b),
  };
}

describe('operating metrics (real Kafka + PostgreSQL)', () => {
  it('every family is scraped with its HELP text and values that match what was ingested', async () => {
    const env = await t.setup({ partitions: 3 });
    const svc = await t.start({}, { lagIntervalMs: 200 });
    const uids = Array.from({ length: 400 }, (_, i) => `om-${i}`);
    const before = Date.now() / 1000;
    await produce(
      env.brokers,
      env.topic,
      uids.map((u) => ({ key: u, value: bytes(makeOrder(u)) })),
      100,
    );
    // settled: every order servable, every batch committed, the lag sampled at 0
    await waitFor(
      async () => {
        const s = await scrape(svc);
        return (
          s.value('orders_freshness_seconds_count') === 400 &&
          s.value('orders_records_in_flight') === 0 &&
          s.lagPartitions().length === 3 &&
          s.families.get('orders_consumer_lag')?.samples.every((l) => l.value === 0) === true
        );
      },
      30_000,
      '400 orders servable and committed, lag 0',
    );
    const s = await scrape(svc);
    for (const name of OPERATING) {
      expect(s.families.get(name)?.help.length ?? 0, name).toBeGreaterThan(20);
    }
    expect(s.value('orders_ingested_total')).toBe(400);
    expect(s.value('orders_freshness_seconds_count')).toBe(400);
    // produced and consumed within this test: seconds, not the years of a wrong unit
    const freshnessSum = s.value('orders_freshness_seconds_sum') ?? -1;
    expect(freshnessSum / 400).toBeGreaterThan(0);
    expect(freshnessSum / 400).toBeLessThan(30);
    const batches = s.value('orders_ingest_batch_size_count') ?? 0;
    expect(batches).toBeGreaterThan(0);
    expect(s.value('orders_batch_write_duration_seconds_count')).toBe(batches);
    expect(s.value('orders_batch_commit_duration_seconds_count')).toBe(batches);
    expect(s.value('orders_batch_write_duration_seconds_sum')).toBeGreaterThan(0);
    expect(s.value('orders_postgres_paused')).toBe(0);
    expect(s.value('orders_postgres_paused_seconds_total')).toBe(0);
    expect(s.value('orders_ready')).toBe(1);
    expect(s.value('orders_last_error_timestamp_seconds', { kind: 'postgres' })).toBe(0);
    expect(s.value('orders_last_error_timestamp_seconds', { kind: 'dead_letter_publish' })).toBe(0);
    const kafkaError = s.value('orders_last_error_timestamp_seconds', { kind: 'kafka' }) ?? -1;
    expect(kafkaError === 0 || kafkaError >= before).toBe(true);
    const rebalances = s.value('orders_rebalances_total') ?? 0;
    expect(rebalances).toBeGreaterThanOrEqual(1);
    expect(s.value('orders_rebalance_duration_seconds_count')).toBe(rebalances);
    expect(s.value('orders_rebalance_duration_seconds_sum')).toBeLessThan(60 * rebalances);
    for (const pool of ['ingest', 'admin', 'search']) {
      expect(s.value('orders_pg_pool_waiting_clients', { pool }), pool).toBe(0);
    }
    const delay = s.value('orders_event_loop_delay_p99_seconds') ?? -1;
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(1);
    expect(s.lagPartitions()).toEqual([0, 1, 2]);
  });

  it('two instances in one group: each reports the lag of its own partitions only', async () => {
    const env = await t.setup({ partitions: 4 });
    const a = await t.start({}, { lagIntervalMs: 200 });
    await waitFor(
      async () => (await scrape(a)).lagPartitions().length === 4,
      20_000,
      'a reports all 4',
    );
    const b = await t.start({}, { lagIntervalMs: 200 });
    await waitFor(
      () =>
        a.ingest.status().partitions.length > 0 &&
        b.ingest.status().partitions.length > 0 &&
        a.ingest.status().partitions.length + b.ingest.status().partitions.length === 4,
      30_000,
      'partitions split',
    );
    await produce(
      env.brokers,
      env.topic,
      Array.from({ length: 40 }, (_, i) => ({
        key: `lag-${i}`,
        value: bytes(makeOrder(`lag-${i}`)),
      })),
    );
    const sorted = (p: number[]) => [...p].sort((x, y) => x - y);
    // what a revoked partition left behind would show here: a's scrape naming b's partitions
    await waitFor(
      async () => {
        const [sa, sb] = await Promise.all([scrape(a), scrape(b)]);
        return (
          JSON.stringify(sa.lagPartitions()) ===
            JSON.stringify(sorted(a.ingest.status().partitions)) &&
          JSON.stringify(sb.lagPartitions()) ===
            JSON.stringify(sorted(b.ingest.status().partitions))
        );
      },
      20_000,
      'each scrape names its own partitions',
    );
    const [sa, sb] = await Promise.all([scrape(a), scrape(b)]);
    expect(sorted([...sa.lagPartitions(), ...sb.lagPartitions()])).toEqual([0, 1, 2, 3]);
    // a went through the rebalance b's join caused
    expect(sa.value('orders_rebalances_total')).toBeGreaterThanOrEqual(2);
    // once a leaves, b owns every partition and reports them all
    await a.stop();
    await waitFor(
      async () => (await scrape(b)).lagPartitions().length === 4,
      30_000,
      'b reports all 4 after a left',
    );
  });
});
