// pnpm --filter @orders/ingest bench:dead-letters — the admin API's reads on a large ledger.
//  1. a fresh database holding 1,000,000 dead letters (dead-letters-fill.ts: PostgreSQL writes
//     them itself, shaped and skewed like ingest's), VACUUM ANALYZE as autovacuum would leave it
//  2. the API as ingest serves it (createApp + createDeadLetterReads on the admin pool of
//     ADMIN_POOL_MAX connections, HTTP on a free port), the clients in a worker thread: p50/p99 of
//     the first page, filtered pages, deep pages through a cursor, and one letter by id, with one
//     request in flight (an operator) and with 50 (a crowd: then the pool's queue is the latency)
// Target: p99 ≤ 50 ms for each. Writes bench/results/dead-letters.json at the repository root.
// BENCH_LETTERS (default 1,000,000) and BENCH_REQUESTS (per case, default 3,000) scale it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createApiMetrics, createApp } from '@orders/api';
import { defaultConfig } from '@orders/config';
import { createTestDatabase } from '@orders/infra';
import { createOrderStore } from '@orders/store';
import { freePort, seededRandom } from '@orders/testing';
import { createDb } from '../src/db.ts';
import { ADMIN_POOL_MAX, createAdminDb, createDeadLetterReads } from '../src/dead-letter-reads.ts';
import { startHttpServer } from '../src/http-server.ts';
import { silentLogger } from '../src/logger.ts';
import { migrate } from '../src/migrations.ts';
import { createOrdersRepo } from '../src/orders-repo.ts';
import { fillLedgerSql, fillParams } from './dead-letters-fill.ts';

const LETTERS = Number(process.env.BENCH_LETTERS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3_000);
/** one operator, then a crowd; the single client's case asks a third of the requests */
const CONCURRENCY = [1, 50];
const TARGET_P99_MS = 50;
const root = join(import.meta.dirname, '../../..');
const log = (line: string) => process.stderr.write(`[bench:dead-letters] ${line}\n`);

const database = await createTestDatabase();
const config = defaultConfig();
const fillDb = createDb({
  connectionString: database.url,
  logger: silentLogger,
  max: 1,
  statementTimeoutMillis: 600_000,
});
await migrate(fillDb);
const fillStarted = performance.now();
const CHUNK = 100_000;
for (let from = 0; from < LETTERS; from += CHUNK) {
  await fillDb.query(fillLedgerSql(), fillParams(from, Math.min(CHUNK, LETTERS - from), LETTERS));
  log(
    `${Math.min(from + CHUNK, LETTERS)} letters, ${Math.round(performance.now() - fillStarted)} ms`,
  );
}
await fillDb.query('VACUUM ANALYZE dead_letters');
const fillMs = Math.round(performance.now() - fillStarted);
const size = await fillDb.query<{ table: string; indexes: string }>(
  `SELECT pg_size_pretty(pg_table_size('dead_letters')) AS table,
     pg_size_pretty(pg_indexes_size('dead_letters')) AS indexes`,
);
// deep positions: letters a quarter, half and nine tenths down the ledger (OFFSET here only)
const deep = await fillDb.query<{ stored_at: string }>(
  `SELECT to_char(stored_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS stored_at
   FROM (SELECT stored_at FROM dead_letters ORDER BY stored_at DESC, id DESC
         OFFSET $1 LIMIT 1) AS d
   UNION ALL SELECT to_char(stored_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
   FROM (SELECT stored_at FROM dead_letters ORDER BY stored_at DESC, id DESC
         OFFSET $2 LIMIT 1) AS d
   UNION ALL SELECT to_char(stored_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
   FROM (SELECT stored_at FROM dead_letters ORDER BY stored_at DESC, id DESC
         OFFSET $3 LIMIT 1) AS d`,
  [Math.floor(LETTERS / 4), Math.floor(LETTERS / 2), Math.floor((LETTERS * 9) / 10)],
);
const maxId = Number(
  (await fillDb.query<{ n: string }>('SELECT max(id) AS n FROM dead_letters')).rows[0]?.n,
);
await fillDb.end();
log(
  `filled ${LETTERS} letters in ${fillMs} ms (${size.rows[0]?.table} + ${size.rows[0]?.indexes} of indexes)`,
);

const secret = 'bench-secret-0123456789abcdef';
const db = createDb({
  connectionString: database.url,
  logger: silentLogger,
  max: config.postgres.poolMax,
});
const adminDb = createAdminDb(database.url, silentLogger);
const app = createApp(
  {
    store: createOrderStore({ maxOrders: 0, maxBytes: 0, maxAgeMs: 0 }),
    reader: createOrdersRepo(db),
    readiness: () => ({ ready: true, reasons: [] }),
    metrics: createApiMetrics(),
    getOrderById: true,
    admin: {
      tokens: [{ name: 'bench', secret }],
      deadLetters: createDeadLetterReads(adminDb),
      maxMessageBytes: config.kafka.maxMessageBytes,
    },
  },
  { page: false },
);
const http = await startHttpServer({
  fetch: app.fetch,
  host: '127.0.0.1',
  port: await freePort(),
  headersTimeoutMs: config.server.headersTimeoutMs,
  requestTimeoutMs: config.server.requestTimeoutMs,
  keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
});
const base = `http://127.0.0.1:${http.port}`;
const headers = { authorization: `Bearer ${secret}` };

/** The API's own cursor for the letters older than `storedAt`: the `next` of a 1-letter page. */
async function cursorAt(query: string): Promise<string> {
  const res = await fetch(`${base}/dead-letters?limit=1&${query}`, { headers });
  const page = (await res.json()) as { next: string | null };
  if (page.next === null) throw new Error(`no letter for ${query}`);
  return page.next;
}
const deepCursors: string[] = [];
for (const { stored_at } of deep.rows) {
  deepCursors.push(await cursorAt(`until=${stored_at}`));
  deepCursors.push(await cursorAt(`until=${stored_at}&reason=not_object`));
}
const random = seededRandom(13);
const ids = Array.from({ length: 500 }, () => `/dead-letters/${1 + Math.floor(random() * maxId)}`);

const cases: Record<string, string[]> = {
  // what the page asks first
  firstPage: ['/dead-letters'],
  // a common, a rare and an absent code, a reason, a repeated uid, a partition, a time range
  filteredPage: [
    '/dead-letters?problem=required',
    '/dead-letters?problem=unsafe_integer',
    '/dead-letters?problem=too_many_problems',
    '/dead-letters?reason=too_large',
    '/dead-letters?uid=again-7',
    '/dead-letters?partition=3',
    '/dead-letters?reason=invalid_order&problem=format',
    `/dead-letters?since=${deep.rows[2]?.stored_at}&until=${deep.rows[1]?.stored_at}`,
  ],
  deepPage: deepCursors.map((c, i) =>
    i % 2 === 0 ? `/dead-letters?cursor=${c}` : `/dead-letters?reason=not_object&cursor=${c}`,
  ),
  getById: ids,
};

function run(paths: string[], count: number, concurrency: number) {
  return new Promise<{ latencies: number[]; failures: Record<string, number>; ms: number }>(
    (resolve, reject) => {
      const worker = new Worker(join(import.meta.dirname, 'dead-letters-client.ts'), {
        workerData: { base, paths, headers, count, concurrency },
      });
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
const round = (ms: number) => Math.round(ms * 10) / 10;
const figures: Record<string, unknown> = {};
await run(cases.firstPage ?? [], 200, 10); // warm: connections, plans, the indexes' upper pages
for (const concurrency of CONCURRENCY) {
  const count = concurrency === 1 ? Math.ceil(REQUESTS / 3) : REQUESTS;
  const at: Record<string, unknown> = {};
  for (const [name, paths] of Object.entries(cases)) {
    const { latencies, failures, ms } = await run(paths, count, concurrency);
    const sorted = latencies.sort((a, b) => a - b);
    at[name] = {
      p50Ms: round(pct(sorted, 0.5)),
      p99Ms: round(pct(sorted, 0.99)),
      maxMs: round(sorted.at(-1) ?? Number.NaN),
      requestsPerSecond: Math.round((latencies.length / ms) * 1000),
      requests: latencies.length,
      non200: Object.keys(failures).length === 0 ? 0 : JSON.stringify(failures),
      targetP99Ms: TARGET_P99_MS,
      meetsTarget: pct(sorted, 0.99) <= TARGET_P99_MS ? 'yes' : 'no',
    };
    log(`concurrency ${concurrency}, ${name}: ${JSON.stringify(at[name])}`);
  }
  figures[`concurrency${concurrency}`] = at;
}

const results = {
  // the machine is shared (2 cores, Kafka + PostgreSQL + other work): figures vary run to run
  loadAverage1mAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  letters: LETTERS,
  fillSeconds: Math.round(fillMs / 100) / 10,
  ledgerTable: size.rows[0]?.table ?? '',
  ledgerIndexes: size.rows[0]?.indexes ?? '',
  adminPoolMax: ADMIN_POOL_MAX,
  ...figures,
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/dead-letters.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);

await http.close(1_000);
await db.end();
await adminDb.end();
await database.drop().catch((err: unknown) => log(`drop: ${String(err)}`));
process.exit(0);
