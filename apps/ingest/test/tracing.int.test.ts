// Tracing end to end: the producer's spans and traceparent headers, ingest (main.ts as a process)
// exporting over OTLP/HTTP to a receiver this test runs, and the API's request span. And off: no
// @opentelemetry module resolved, nothing exported.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProducer } from '@orders/producer';
import { createTracing } from '@orders/tracing';
import { type ReceivedSpan, startOtlpReceiver } from '@orders/tracing/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { produce, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const scope = useTestEnv();
const RECORD_LOADS = join(import.meta.dirname, 'record-loads.ts');
const COUNT = 40;
const API_PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const BAD_PARENT = '00-5bf92f3577b34da6a3ce929d0e0e4736-10f067aa0ba902b7-01';

const receivers: Awaited<ReturnType<typeof startOtlpReceiver>>[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver() {
  const r = await startOtlpReceiver();
  receivers.push(r);
  return r;
}

function loadsFile(): string {
  return join(tmpdir(), `orders-loads-${process.pid}-${Date.now()}.txt`);
}

/** COUNT valid orders from the real producer (its tracing as given) and one bad message. */
async function produceOrders(tracing: Awaited<ReturnType<typeof createTracing>>) {
  const env = scope.env;
  const outcome = await runProducer({
    brokers: env.brokers,
    topic: env.topic,
    partitions: 3,
    count: COUNT,
    rate: 0,
    concurrency: 2,
    batch: 10,
    ratios: { invalid: 0, duplicate: 0, update: 0 },
    seed: 7,
    baseDate: Date.UTC(2026, 0, 1),
    maxBytes: 512 * 1024,
    generateInWorker: false,
    tracing,
  });
  expect(outcome.ok).toBe(true);
  await produce(env.brokers, env.topic, [
    { key: 'bad', value: Buffer.from('not json'), headers: { traceparent: BAD_PARENT } },
  ]);
}

async function oneOrderUid(): Promise<string> {
  const [row] = await sql<{ order_uid: string }>(
    scope.env.databaseUrl,
    'SELECT order_uid FROM orders LIMIT 1',
  );
  return row?.order_uid ?? '';
}

const idsOf = (tp: string) => ({ traceId: tp.split('-')[1], spanId: tp.split('-')[2] });

describe('tracing', () => {
  it('producer span → batch span link → PostgreSQL write child; dead letters; API request span', async () => {
    await scope.setup();
    const otlp = await receiver();
    const loads = loadsFile();
    const child = await scope.spawn({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      NODE_OPTIONS: `--import=${RECORD_LOADS}`,
      ORDERS_TEST_LOADS_FILE: loads,
      MEMORY_RESTORE_DATA: '0',
    });
    const producerTracing = await createTracing(
      {
        endpoint: otlp.endpoint,
        sampler: 'always_on',
        samplerArg: 1,
        serviceName: undefined,
      },
      'orders-producer',
    );
    await produceOrders(producerTracing);
    await producerTracing.shutdown();
    await waitFor(async () => (await rowCount(scope.env.databaseUrl)) === COUNT, 60_000, 'rows');
    const uid = await oneOrderUid();
    const res = await fetch(`${child.url}/orders/${uid}`, { headers: { traceparent: API_PARENT } });
    expect(res.status).toBe(200);
    // the outbox publishes the bad message's letter after the commit
    await waitFor(
      () => otlp.spans.some((s) => s.name.endsWith('.dlq publish')),
      30_000,
      'publish',
      200,
    ).catch(() => {});
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);

    const spans = otlp.spans;
    const of = (service: string, name: (n: string) => boolean) =>
      spans.filter((s) => s.serviceName === service && name(s.name));
    const sends = of('orders-producer', (n) => n === `${scope.env.topic} send`);
    const batches = of('orders-ingest', (n) => n === `${scope.env.topic} process`);
    const writes = of('orders-ingest', (n) => n === 'postgres write');
    expect(sends).toHaveLength(COUNT);
    expect(sends.every((s) => s.kind === 4)).toBe(true);
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.every((s) => s.kind === 5 && s.parentSpanId === undefined)).toBe(true);

    // every producer span context is linked from a batch span
    const linked = new Set(batches.flatMap((b) => b.links.map((l) => `${l.traceId}/${l.spanId}`)));
    for (const s of sends) expect(linked).toContain(`${s.traceId}/${s.spanId}`);
    expect(linked).toContain(`${idsOf(BAD_PARENT).traceId}/${idsOf(BAD_PARENT).spanId}`);

    // each batch that wrote has its PostgreSQL write span as a child, in its trace
    const byId = new Map(batches.map((b) => [b.spanId, b]));
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) {
      const parent = byId.get(w.parentSpanId ?? '');
      expect(parent, 'the write span is a batch span’s child').toBeDefined();
      expect(w.traceId).toBe(parent?.traceId);
      expect(w.attributes['db.system.name']).toBe('postgresql');
    }
    const writtenOrders = writes.reduce((n, w) => n + Number(w.attributes['orders.valid']), 0);
    expect(writtenOrders).toBe(COUNT);

    // the bad message: its letter recorded under a write span, published with a link to its source
    const record = of('orders-ingest', (n) => n === 'dead_letters record');
    expect(record).toHaveLength(1);
    expect(writes.map((w) => w.spanId)).toContain(record[0]?.parentSpanId);
    const publish = of('orders-ingest', (n) => n === `${scope.env.dlqTopic} publish`);
    expect(publish.flatMap((p) => p.links)).toContainEqual(idsOf(BAD_PARENT));

    // the API's request span continues the caller's trace
    const requests = of('orders-ingest', (n) => n === 'GET /orders/:order_uid');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      kind: 2,
      ...{ traceId: idsOf(API_PARENT).traceId, parentSpanId: idsOf(API_PARENT).spanId },
      attributes: { 'http.route': '/orders/:order_uid', 'http.response.status_code': 200 },
    } satisfies Partial<ReceivedSpan>);

    // the control for the test below: the preload does see the SDK when tracing is on
    expect(readFileSync(loads, 'utf8')).toContain('/packages/tracing/src/sdk.ts');
    expect(readFileSync(loads, 'utf8')).toContain('/@opentelemetry/sdk-trace/');
  });

  it('off (no OTEL_EXPORTER_OTLP_ENDPOINT): no OpenTelemetry SDK module loaded, nothing exported', async () => {
    await scope.setup();
    const otlp = await receiver();
    const loads = loadsFile();
    const child = await scope.spawn({
      NODE_OPTIONS: `--import=${RECORD_LOADS}`,
      ORDERS_TEST_LOADS_FILE: loads,
      MEMORY_RESTORE_DATA: '0',
    });
    // messages that do carry traceparent headers, from a producer tracing into the receiver
    const producerTracing = await createTracing(
      { endpoint: otlp.endpoint, sampler: 'always_on', samplerArg: 1, serviceName: undefined },
      'orders-producer',
    );
    await produceOrders(producerTracing);
    await producerTracing.shutdown();
    await waitFor(async () => (await rowCount(scope.env.databaseUrl)) === COUNT, 60_000, 'rows');
    const res = await fetch(`${child.url}/orders/${await oneOrderUid()}`, {
      headers: { traceparent: API_PARENT },
    });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
    // prom-client (@orders/metrics) imports the API facade @opentelemetry/api itself, for exemplars,
    // whatever tracing says; nothing else of OpenTelemetry may load
    const loaded = readFileSync(loads, 'utf8').split('\n').filter(Boolean);
    const sdk = loaded.filter(
      (line) =>
        !/\/@opentelemetry\/api\/.* from .*\/(prom-client|@opentelemetry\/api)\//.test(line),
    );
    expect(sdk).toEqual([]);
    expect(otlp.spans.filter((s) => s.serviceName === 'orders-ingest')).toEqual([]);
  });
});
