// The pipeline against real Kafka + PostgreSQL, service in-process.

import { DLQ_HEADERS } from '@orders/kafka';
import { parsePrometheusText } from '@orders/metrics/testing';
import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from './fixtures.ts';
import { produce, readDeadLetters, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();

describe('ingest (real Kafka + PostgreSQL)', () => {
  it('stores every valid order and dead-letters each invalid kind with its reason, nothing else', async () => {
    const env = await t.setup({ partitions: 3 });
    const maxBytes = 20_000;
    const svc = await t.start({ KAFKA_MAX_BYTES: String(maxBytes) });
    const valid = Array.from({ length: 300 }, (_, i) => makeOrder(`mix-${i}`));
    const invalid = invalidMessages(maxBytes);
    // interleave: every 30th message is an invalid one
    const messages: { key: string | null; value: Buffer | null }[] = [];
    valid.forEach((o, i) => {
      messages.push({ key: o.order_uid as string, value: bytes(o) });
      const bad = invalid[i / 30];
      if (i % 30 === 0 && bad) messages.push({ key: `bad-${i}`, value: bad.value });
    });
    await produce(env.brokers, env.topic, messages);

    await waitFor(async () => (await rowCount(env.databaseUrl)) === 300, 30_000, '300 rows');
    const dlq = await readDeadLetters(env);
    expect(dlq).toHaveLength(invalid.length);
    const reasons = dlq.map((d) => d.headers[DLQ_HEADERS.reason]).sort();
    expect(reasons).toEqual(invalid.map((i) => i.reason).sort());
    for (const d of dlq) {
      const i = Number(d.headers[DLQ_HEADERS.sourceKey]?.slice(4)) / 30;
      const sent = invalid[i]?.value ?? null;
      // original bytes untouched (a null/empty value stays empty)
      expect(Buffer.compare(d.value ?? Buffer.alloc(0), sent ?? Buffer.alloc(0))).toBe(0);
      expect(d.headers[DLQ_HEADERS.topic]).toBe(env.topic);
      expect(Number(d.headers[DLQ_HEADERS.offset])).toBeGreaterThanOrEqual(0);
      expect(d.headers[DLQ_HEADERS.partition]).toMatch(/^[0-2]$/);
    }
    // nothing valid in the DLQ, nothing invalid in PostgreSQL
    const uids = await sql<{ order_uid: string }>(env.databaseUrl, 'SELECT order_uid FROM orders');
    expect(new Set(uids.map((u) => u.order_uid))).toEqual(new Set(valid.map((o) => o.order_uid)));

    // served from memory with the canonical bytes, by uid and by id
    await waitFor(() => svc.ingest.store.stats().count === 300, 5_000, 'store filled');
    const one = await fetch(`${svc.url}/orders/mix-7`);
    expect(one.status).toBe(200);
    const stored = svc.ingest.store.getByUid('mix-7');
    expect(Buffer.from(await one.arrayBuffer()).equals(stored?.body ?? Buffer.alloc(0))).toBe(true);
    const byId = await fetch(`${svc.url}/orders?id=${stored?.id}`);
    expect(byId.status).toBe(200);
    expect(svc.ingest.metrics.snapshot().invalid).toBe(invalid.length);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/orders_invalid_total\{reason="not_json"\} 2/);
    // one registry: ingest's families, the API's, the process's, each once and well formed
    const parsed = parsePrometheusText(metrics);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect([...parsed.families.keys()]).toEqual([
      'orders_ingested_total',
      'orders_invalid_total',
      'orders_dead_lettered_total',
      'orders_ingest_batch_size',
      'orders_ingest_batch_duration_seconds',
      'orders_consumer_lag',
      'orders_written_total',
      'orders_duplicate_deliveries_total',
      'orders_ingest_retries_total',
      'orders_dead_letters_cut_total',
      'orders_dead_letters_unpublishable_total',
      'orders_redelivered_total',
      'orders_fenced_batches_total',
      'orders_last_error_timestamp_seconds',
      'orders_records_in_flight',
      'orders_batch_write_duration_seconds',
      'orders_batch_commit_duration_seconds',
      'orders_postgres_paused',
      'orders_postgres_paused_seconds_total',
      'orders_rebalances_total',
      'orders_rebalance_duration_seconds',
      'orders_pg_pool_waiting_clients',
      'orders_ready',
      'orders_freshness_seconds',
      'orders_redrives_total',
      'orders_redrive_runs_in_progress',
      'orders_store_orders',
      'orders_store_bytes',
      'orders_store_evictions_total',
      'orders_read_through_lookups_total',
      'orders_read_through_reads_total',
      'orders_read_through_query_keys',
      'http_request_duration_seconds',
      'process_start_time_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_used_bytes',
      'orders_event_loop_delay_p99_seconds',
    ]);
    const snapshot = svc.ingest.metrics.snapshot();
    const value = (name: string) => parsed.families.get(name)?.samples[0]?.value;
    expect(value('orders_ingested_total')).toBe(snapshot.ingested);
    expect(snapshot.ingested).toBe(snapshot.inserted + snapshot.updated + snapshot.unchanged);
    expect(snapshot.invalidByReason.not_json).toBe(2);
    // /stats reads the same snapshot
    const stats = (await (await fetch(`${svc.url}/stats`)).json()) as {
      ingested: { total: number };
      invalid: { total: number; byReason: Record<string, number> };
    };
    expect(stats.ingested.total).toBe(snapshot.ingested);
    expect(stats.invalid).toEqual({ total: snapshot.invalid, byReason: snapshot.invalidByReason });
  });

  it('absorbs duplicates and replays: one row per uid, newest content, stable id', async () => {
    const env = await t.setup({ partitions: 2 });
    const svc = await t.start();
    const v1 = makeOrder('dup-1', { locale: 'en' });
    const v2 = makeOrder('dup-1', { locale: 'ru' });
    const other = makeOrder('dup-2');
    await produce(env.brokers, env.topic, [
      { key: 'dup-1', value: bytes(v1) },
      { key: 'dup-2', value: bytes(other) },
      { key: 'dup-2', value: bytes(other) },
    ]);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 2, 20_000, '2 rows');
    const [first] = await sql<{ id: string }>(
      env.databaseUrl,
      "SELECT id FROM orders WHERE order_uid = 'dup-1'",
    );
    await produce(env.brokers, env.topic, [
      { key: 'dup-1', value: bytes(v2) },
      { key: 'dup-2', value: bytes(other) },
    ]);
    await waitFor(
      () => JSON.parse(svc.ingest.store.getByUid('dup-1')?.body.toString() ?? '{}').locale === 'ru',
      20_000,
      'v2 in memory',
    );
    // replay everything from the start with a fresh group on the same database: no change
    await svc.stop();
    const replay = await t.start({ KAFKA_GROUP_ID: `${env.groupId}-replay` });
    await waitFor(() => replay.ingest.metrics.snapshot().messages >= 5, 20_000, 'replay consumed');
    const rows = await sql<{ id: string; order_uid: string; data: { locale: string } }>(
      env.databaseUrl,
      'SELECT id, order_uid, data FROM orders ORDER BY order_uid',
    );
    expect(rows.map((r) => r.order_uid)).toEqual(['dup-1', 'dup-2']);
    expect(rows[0]?.data.locale).toBe('ru');
    expect(rows[0]?.id).toBe(first?.id);
    expect(replay.ingest.metrics.snapshot().inserted).toBe(0);
    expect(replay.ingest.metrics.snapshot().updated).toBe(0);
    expect(replay.ingest.metrics.snapshot().duplicates).toBeGreaterThanOrEqual(3);
  });

  it('dead-letters oversize messages (over KAFKA_MAX_BYTES) and keeps consuming', async () => {
    const env = await t.setup({ partitions: 1 });
    await t.start({ KAFKA_MAX_BYTES: '4096' });
    const big = makeOrder('big-1', { note: 'x'.repeat(10_000) });
    const huge = Buffer.alloc(900_000, 0x61); // near the broker's 1 MB message limit
    await produce(env.brokers, env.topic, [
      { key: 'big-1', value: bytes(big) },
      { key: 'huge', value: huge },
      { key: 'ok-1', value: bytes(makeOrder('ok-1')) },
    ]);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 1, 20_000, 'ok-1 stored');
    const dlq = await readDeadLetters(env);
    expect(dlq.map((d) => d.headers[DLQ_HEADERS.reason])).toEqual(['too_large', 'too_large']);
    expect(dlq[1]?.value?.length).toBe(900_000);
  });

  it('evicts from memory under both limits; evicted orders stay in PostgreSQL and are served', async () => {
    const env = await t.setup({ partitions: 1 });
    const sample = bytes(makeOrder('size-probe')).length;
    // count limit first
    const svc = await t.start({ MEMORY_ORDERS_LIMIT: '50' });
    await produce(
      env.brokers,
      env.topic,
      Array.from({ length: 120 }, (_, i) => ({
        key: `ev-${i}`,
        value: bytes(makeOrder(`ev-${i}`)),
      })),
    );
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 120, 20_000, '120 rows');
    const stats = svc.ingest.store.stats();
    expect(stats.count).toBe(50);
    expect(stats.evictedByCount).toBe(70);
    expect(svc.ingest.store.getByUid('ev-0')).toBeUndefined();
    const evicted = await fetch(`${svc.url}/orders/ev-0`);
    expect(evicted.status).toBe(200);
    expect(((await evicted.json()) as { order_uid: string }).order_uid).toBe('ev-0');
    await svc.stop();

    // byte limit: restore + new orders never exceed it
    const byBytes = await t.start({
      MEMORY_ORDERS_LIMIT: '100000',
      MEMORY_MAX_BYTES: String(sample * 10),
      KAFKA_GROUP_ID: `${env.groupId}-bytes`,
    });
    expect(byBytes.ingest.store.stats().bytes).toBeLessThanOrEqual(sample * 10);
    await produce(
      env.brokers,
      env.topic,
      Array.from({ length: 30 }, (_, i) => ({
        key: `eb-${i}`,
        value: bytes(makeOrder(`eb-${i}`)),
      })),
    );
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 150, 20_000, '150 rows');
    await waitFor(() => byBytes.ingest.store.getByUid('eb-29') !== undefined, 5_000, 'eb-29');
    const s2 = byBytes.ingest.store.stats();
    expect(s2.bytes).toBeLessThanOrEqual(sample * 10);
    expect(s2.evictedByBytes).toBeGreaterThan(0);
    expect(s2.count).toBeLessThan(30);
    expect(byBytes.ingest.store.getByUid('eb-0')).toBeUndefined();
    const served = await fetch(`${byBytes.url}/orders/eb-0`);
    expect(served.status).toBe(200);
    expect(((await served.json()) as { order_uid: string }).order_uid).toBe('eb-0');
  });

  it('demo mode (KAFKA_WRITE_EXAMPLES=1) writes example orders that get ingested', async () => {
    const env = await t.setup({ partitions: 2 });
    const svc = await t.start({
      KAFKA_WRITE_EXAMPLES: '1',
      PRODUCER_COUNT: '200',
      PRODUCER_RATE: '0',
      PRODUCER_SEED: '7',
    });
    await waitFor(() => svc.ingest.metrics.snapshot().messages >= 200, 30_000, '200 demo messages');
    expect(svc.ingest.metrics.snapshot().inserted).toBeGreaterThan(0);
    expect(await rowCount(env.databaseUrl)).toBe(svc.ingest.store.stats().count);
  });

  it('an order PostgreSQL refuses as data is dead-lettered alone; its partition moves on', async () => {
    const env = await t.setup({ partitions: 1 });
    const svc = await t.start();
    // the model accepts this uid; the database (here a CHECK added by the test) does not
    await sql(
      env.databaseUrl,
      "ALTER TABLE orders ADD CONSTRAINT t_no_poison CHECK (order_uid <> 'poison-1')",
    );
    await produce(env.brokers, env.topic, [
      { key: 'ok-a', value: bytes(makeOrder('ok-a')) },
      { key: 'poison-1', value: bytes(makeOrder('poison-1')) },
      { key: 'ok-b', value: bytes(makeOrder('ok-b')) },
    ]);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 2, 20_000, '2 rows');
    await produce(env.brokers, env.topic, [{ key: 'ok-c', value: bytes(makeOrder('ok-c')) }]);
    await waitFor(async () => (await rowCount(env.databaseUrl)) === 3, 20_000, 'ok-c after it');
    const dlq = await readDeadLetters(env);
    expect(
      dlq.map((d) => [d.headers[DLQ_HEADERS.sourceKey], d.headers[DLQ_HEADERS.reason]]),
    ).toEqual([['poison-1', 'rejected_by_database']]);
    expect(dlq[0]?.headers[DLQ_HEADERS.problems]).toContain('23514');
    expect(svc.ingest.status().degraded).toBe(false);
  });
});
