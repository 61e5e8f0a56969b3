// The API's read-through over this app's reader and a real PostgreSQL: a crowd of concurrent
// requests for orders in memory, only in PostgreSQL, and nowhere, by uid and by id, while batches
// are being written — no 5xx, every answer right (issue 6: "1,000 concurrent requests for present
// and missing orders").
import { Agent, request } from 'node:http';
import { createApp, createMetrics, type Metrics } from '@orders/api';
import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { createOrderStore, type OrderStore, type StoredOrder } from '@orders/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/db.ts';
import { handleBatch, type ValidOrder } from '../src/handle-batch.ts';
import { startHttpServer } from '../src/http-server.ts';
import { silentLogger } from '../src/logger.ts';
import { migrate } from '../src/migrations.ts';
import { createOrdersRepo, type OrdersRepo } from '../src/orders-repo.ts';
import { bytes, makeOrder } from './fixtures.ts';

const IN_DB = 400; // orders in PostgreSQL; the first 100 are also in memory
const IN_MEMORY = 100;

function validOrders(prefix: string, count: number, partition: number): ValidOrder[] {
  const out = handleBatch(
    {
      topic: 't',
      partition,
      messages: Array.from({ length: count }, (_, i) => ({
        key: null,
        value: bytes(makeOrder(`${prefix}-${i}`)),
        offset: String(i),
        timestamp: String(Date.now()),
      })),
    },
    { maxBytes: 1 << 20 },
  );
  expect(out.valid).toHaveLength(count);
  return out.valid;
}

let database: TestDatabase;
let db: Db;
let repo: OrdersRepo;
let stored: StoredOrder[];

beforeAll(async () => {
  database = await createTestDatabase();
  // the production default pool size (DB_POOL_MAX=4), shared with the writers below
  db = createDb({ connectionString: database.url, logger: silentLogger, max: 4 });
  await migrate(db);
  repo = createOrdersRepo(db);
  const orders = validOrders('rt', IN_DB, 0);
  await db.transaction((tx) => repo.upsert(tx, orders));
  stored = await repo.getByUids(orders.map((o) => o.uid));
  stored.sort((a, b) => a.id - b.id);
  expect(stored).toHaveLength(IN_DB);
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

function setup(): {
  app: ReturnType<typeof createApp>;
  metrics: Metrics;
  store: OrderStore;
  logged: string[];
} {
  const logged: string[] = [];
  const store = createOrderStore({ maxOrders: 10_000, maxBytes: Infinity, maxAgeMs: Infinity });
  for (const order of stored.slice(0, IN_MEMORY)) store.put(order);
  const metrics = createMetrics();
  const app = createApp(
    {
      store,
      reader: repo,
      metrics,
      readiness: () => ({ ready: true, reasons: [] }),
      getOrderById: true,
      logger: { error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) },
    },
    { page: false },
  );
  return { app, metrics, store, logged };
}

type Probe = { path: string; expect: StoredOrder | undefined };

/**
 * 1,000 requests, by uid and by id in turn, each kind over 500 keys in a shuffled order: 100 in
 * memory, 300 only in PostgreSQL, 100 missing (uids never written, ids far beyond what the writers
 * reach); `missingBase` keeps the missing keys of two bursts apart.
 */
function probes(missingBase: number): Probe[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const n = ((i >> 1) * 7) % 500; // a permutation of 0–499 (7 and 500 are coprime)
    const order = stored[n]; // undefined from IN_DB on
    const missing = missingBase + n;
    if (i % 2 === 0)
      return { path: `/orders/${order?.uid ?? `missing-${missing}`}`, expect: order };
    return { path: `/orders?id=${order?.id ?? missing}`, expect: order };
  });
}

/** Ingest's writers keep their connections busy meanwhile (two partitions, like the defaults). */
function writeWhile(done: Promise<unknown>): Promise<number> {
  let stop = false;
  done.finally(() => {
    stop = true;
  });
  const writer = async (partition: number) => {
    let batches = 0;
    for (let round = 0; !stop; round++) {
      const batch = validOrders(`w${partition}-${round}`, 200, partition);
      await db.transaction((tx) => repo.upsert(tx, batch));
      batches++;
    }
    return batches;
  };
  return Promise.all([writer(1), writer(2)]).then(([a, b]) => (a ?? 0) + (b ?? 0));
}

function expectAnswers(probe: Probe[], answers: { status: number; body: Buffer }[]): void {
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  expect(statuses).toEqual(probe.map((p) => (p.expect ? 200 : 404)));
  for (const [i, answer] of answers.entries()) {
    const want = probe[i]?.expect;
    if (want) expect(answer.body.equals(want.body), probe[i]?.path).toBe(true);
  }
}

describe('read-through over real PostgreSQL', () => {
  it('answers 1,000 concurrent app requests with no 5xx while batches are written', async () => {
    const { app, metrics, logged } = setup();
    const probe = probes(1_000_000_000);
    const burst = Promise.all(
      probe.map(async (p) => {
        const res = await app.request(p.path);
        return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
      }),
    );
    const writes = writeWhile(burst);
    const answers = await burst;
    expect(await writes).toBeGreaterThan(0);
    expectAnswers(probe, answers);
    // 400 uids and 400 ids missed memory: a few batched queries, not one per key
    const queries = metrics.readQueryKeys.labels();
    expect(queries.sum).toBe(800);
    expect(queries.count).toBeLessThan(100);
    expect(metrics.reads.found.value).toBe(600);
    expect(metrics.reads.not_found.value).toBe(200);
    expect(metrics.reads.error.value).toBe(0);
    expect(logged).toEqual([]);
  });

  it('answers 1,000 concurrent connections to the real server with no 5xx', async () => {
    const { app, metrics, logged } = setup();
    const server = await startHttpServer({
      fetch: app.fetch,
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 65_000,
    });
    // one connection per request, like the fault suite's burst
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    try {
      const probe = probes(2_000_000_000);
      const burst = Promise.all(probe.map((p) => get(server.port, p.path, agent)));
      const writes = writeWhile(burst);
      const answers = await burst;
      expect(await writes).toBeGreaterThan(0);
      expectAnswers(probe, answers);
      expect(metrics.reads.found.value).toBe(600);
      expect(metrics.reads.error.value).toBe(0);
      expect(logged).toEqual([]);
    } finally {
      agent.destroy();
      await server.close(1_000);
    }
  });
});

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
