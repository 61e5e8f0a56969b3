// The pipeline's spans on the SDK's in-memory exporter, over fakes of PostgreSQL (pipeline.test.ts
// has the pipeline's own behaviour).
import type { BatchControl } from '@orders/kafka';
import { createOrderStore } from '@orders/store';
import { createMemoryTracing, type MemoryTracing } from '@orders/tracing/testing';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from '../test/fixtures.ts';
import { traceLedger, tracePublish } from './batch-trace.ts';
import type { Db, Queryable } from './db.ts';
import type { DeadLetter, ValidOrder } from './handle-batch.ts';
import { createLogger } from './logger.ts';
import { createIngestMetrics } from './metrics.ts';
import type { OrdersRepo } from './orders-repo.ts';
import { createPipeline } from './pipeline.ts';
import { createPositions } from './positions.ts';

const parent = (i: number) => `00-${String(i).padStart(32, 'a')}-${String(i).padStart(16, 'b')}-01`;

function batchOf(values: (Buffer | null)[]): BatchControl {
  return {
    topic: 'orders',
    partition: 2,
    messages: values.map((value, i) => ({
      key: null,
      value,
      offset: String(i),
      timestamp: '1700000000000',
      headers: { traceparent: Buffer.from(parent(i + 1)) },
    })),
    resolveOffset() {},
    commitOffsetsIfNecessary: async () => {},
    commitOffset: async () => {},
    heartbeat: async () => {},
    seek() {},
    pause: () => () => {},
    isRunning: () => true,
    isStale: () => false,
  };
}

function pipelineWith(m: MemoryTracing, opts: { failWrite?: boolean } = {}) {
  const db = {
    transaction: async <T>(fn: (tx: Queryable) => Promise<T>) => {
      if (opts.failWrite) throw Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return fn({ query: async () => ({ rows: [], rowCount: 0 }) } as unknown as Queryable);
    },
  } as unknown as Db;
  const repo = {
    upsert: async (_tx: Queryable, orders: ValidOrder[]) => ({
      written: orders.map((o, i) => ({ id: i + 1, uid: o.uid, inserted: true, changed: true })),
      inserted: orders.length,
      updated: 0,
      unchanged: 0,
      skipped: 0,
    }),
    getByUids: async () => [],
  } as unknown as OrdersRepo;
  const offsets = {
    read: async () => new Map<number, string>(),
    advance: async () => true,
  };
  const ledger = { insert: async (_tx: Queryable, letters: DeadLetter[]) => letters.length };
  return createPipeline({
    db,
    repo,
    offsets,
    ledger: traceLedger(ledger, m.tracing),
    positions: createPositions({ offsets, groupId: 'g', topic: 'orders' }),
    groupId: 'g',
    store: createOrderStore({ maxOrders: 100, maxBytes: 1e9, maxAgeMs: Infinity }),
    metrics: createIngestMetrics(),
    logger: createLogger({ level: 'silent' }),
    maxMessageBytes: 64 * 1024,
    upsertChunk: 100,
    schedule: () => () => {},
    tracing: m.tracing,
  });
}

describe('batch spans', () => {
  it('a consumer span per batch linked to each message; the write and ledger spans under it', async () => {
    const m = createMemoryTracing({ serviceName: 'orders-ingest' });
    const values = [bytes(makeOrder('u1')), bytes(makeOrder('u2')), Buffer.from('not json')];
    await pipelineWith(m).processBatch(batchOf(values));
    const byName = new Map(m.spans().map((s) => [s.name, s]));
    const batch = byName.get('orders process');
    const write = byName.get('postgres write');
    const ledger = byName.get('dead_letters record');
    expect(batch).toMatchObject({
      kind: 'consumer',
      parentSpanId: undefined,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': 'orders',
        'messaging.destination.partition.id': '2',
        'messaging.batch.message_count': 3,
      },
    });
    expect(batch?.links).toEqual(
      [1, 2, 3].map((i) => ({
        traceId: parent(i).split('-')[1],
        spanId: parent(i).split('-')[2],
      })),
    );
    expect(write).toMatchObject({
      kind: 'client',
      traceId: batch?.traceId,
      parentSpanId: batch?.spanId,
      attributes: { 'db.system.name': 'postgresql', 'orders.valid': 2, 'orders.dead_letters': 1 },
    });
    expect(ledger).toMatchObject({
      traceId: batch?.traceId,
      parentSpanId: write?.spanId,
      attributes: { 'orders.dead_letters': 1, 'orders.dead_letter_reasons': 'not_json' },
    });
  });

  it('a failed write marks the write span and the batch span as errors', async () => {
    const m = createMemoryTracing();
    await pipelineWith(m, { failWrite: true }).processBatch(batchOf([bytes(makeOrder('u1'))]));
    const byName = new Map(m.spans().map((s) => [s.name, s]));
    expect(byName.get('postgres write')?.status).toBe('error');
    expect(byName.get('orders process')?.status).toBe('error');
  });

  it('an unsampled batch records nothing below it', async () => {
    const m = createMemoryTracing({ sampler: 'parentbased_traceidratio', ratio: 0 });
    await pipelineWith(m).processBatch(batchOf([bytes(makeOrder('u1')), Buffer.from('x')]));
    expect(m.spans()).toHaveLength(0);
  });

  it('the outbox publish is a producer span linked to each letter’s source message', async () => {
    const m = createMemoryTracing();
    const sink = tracePublish(
      {
        publish: async (letters: DeadLetter[]) => ({
          published: letters.length,
          cut: {},
          givenUp: 0,
        }),
        limits: () => ({ maxMessageBytes: 1, compacted: false, source: 'default' }),
      } as unknown as Parameters<typeof tracePublish>[0],
      m.tracing,
      'orders.dlq',
    );
    const letter = (i: number) =>
      ({
        reason: 'not_json',
        originalHeaders: { traceparent: parent(i) },
      }) as unknown as DeadLetter;
    await sink.publish([letter(7), letter(8)]);
    expect(m.spans()[0]).toMatchObject({
      name: 'orders.dlq publish',
      kind: 'producer',
      links: [7, 8].map((i) => ({
        traceId: parent(i).split('-')[1],
        spanId: parent(i).split('-')[2],
      })),
      attributes: { 'orders.dead_letters_published': 2 },
    });
  });
});
