// The API's read-through over this app's reader and a real PostgreSQL: a crowd of concurrent
// requests for orders in memory, only in PostgreSQL, and nowhere, by uid and by id, while batches
// are being written — no 5xx, every answer right (1,000 concurrent requests for present and
// missing orders).
import { Agent, request } from 'node:http';
import {
  type ApiDeps,
  type ApiMetrics,
  createApiMetrics,
  createApp,
  type OrderReader,
} from '@orders/api';
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
  metrics: ApiMetrics;
  store: OrderStore;
  logged: string[];
} {
  const logged: string[] = [];
  const store = createOrderStore({ maxOrders: 10_000, maxBytes: Infinity, maxAgeMs: Infinity });
  for (const order of stored.slice(0, IN_MEMORY)) store.put(order);
  const metrics = createApiMetrics();
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

describe('/orders/recent over real PostgreSQL', () => {
  /** The app with nothing in memory (MEMORY_ORDERS_LIMIT=0): every list comes from PostgreSQL. */
  function emptyMemory(readThrough: ApiDeps['readThrough'] = {}, reader: OrderReader = repo) {
    const metrics = createApiMetrics();
    const app = createApp(
      {
        store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: Infinity }),
        reader,
        metrics,
        readiness: () => ({ ready: true, reasons: [] }),
        getOrderById: true,
        readThrough,
      },
      { page: false },
    );
    return app;
  }

  async function list(app: ReturnType<typeof createApp>, path = '/orders/recent?limit=100') {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    return {
      source: res.headers.get('x-orders-source'),
      body: (await res.json()) as { orders: { id: number; order_uid: string }[] },
    };
  }

  it("PostgreSQL's summaries are the ones memory gives for the same orders", async () => {
    const fromDb = await list(emptyMemory());
    expect(fromDb.source).toBe('database');
    expect(fromDb.body.orders).toHaveLength(100);
    // the same orders, read whole and put in memory: the API summarises their bodies itself
    const ids = fromDb.body.orders.map((o) => o.id);
    const whole = (await repo.getByIds(ids)).sort((a, b) => a.id - b.id);
    const store = createOrderStore({ maxOrders: 1000, maxBytes: Infinity, maxAgeMs: Infinity });
    for (const order of whole) store.put(order);
    const memoryApp = createApp(
      {
        store,
        reader: repo,
        metrics: createApiMetrics(),
        readiness: () => ({ ready: true, reasons: [] }),
        getOrderById: true,
      },
      { page: false },
    );
    const fromMemory = await list(memoryApp);
    expect(fromMemory.source).toBe('memory');
    expect(fromMemory.body).toEqual(fromDb.body);
  });

  it('a crowd of 64 concurrent requests costs one query while batches are written', async () => {
    let queries = 0;
    const counted: OrderReader = {
      getByUids: (uids) => repo.getByUids(uids),
      getByIds: (ids) => repo.getByIds(ids),
      recent: (limit, options) => {
        queries++;
        return repo.recent(limit, options);
      },
    };
    const app = emptyMemory({}, counted);
    const crowd = Promise.all(Array.from({ length: 64 }, () => list(app, '/orders/recent')));
    const writes = writeWhile(crowd);
    const answers = await crowd;
    await writes; // two writers upserted on the same pool meanwhile
    expect(answers.map((a) => a.source)).toEqual(Array(64).fill('database'));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(queries).toBe(1);
  });

  it('a list PostgreSQL cannot give within the timeout is memory, and the query is gone', async () => {
    const app = emptyMemory({ timeoutMs: 300 });
    const holder = createDb({ connectionString: database.url, logger: silentLogger, max: 1 });
    const running = async () =>
      (
        await db.query<{ state: string }>(
          `SELECT state FROM pg_stat_activity
           WHERE datname = current_database() AND query LIKE '%jsonb_to_record%'
             AND pid <> pg_backend_pid()`,
        )
      ).rows;
    let unlock: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      unlock = resolve;
    });
    let lockTaken: () => void = () => {};
    const taken = new Promise<void>((resolve) => {
      lockTaken = resolve;
    });
    const holding = holder.transaction(async (tx) => {
      await tx.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE'); // every read waits for it
      lockTaken();
      await locked;
    });
    try {
      await taken;
      const started = performance.now();
      const answer = await list(app, '/orders/recent?limit=10');
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(answer).toEqual({ source: 'memory', body: { orders: [] } });
      // still locked: a query left running would be waiting on the lock ('active')
      const deadline = Date.now() + 2_000;
      let states = await running();
      while (states.some((r) => r.state !== 'idle') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        states = await running();
      }
      expect(states.filter((r) => r.state !== 'idle')).toEqual([]);
    } finally {
      unlock();
      await holding;
      await holder.end();
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
