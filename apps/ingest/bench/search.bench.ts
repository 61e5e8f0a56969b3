// Search latency on a large table: N orders made in SQL (small bodies: the plans read index
// entries and `limit` rows, not the table), then `concurrency` callers searching back to back for
// `seconds` through createOrderSearch and its own pool, as ingest serves /orders/search.
// pnpm --filter @orders/ingest exec node bench/search.bench.ts [orders] [concurrency,…] [seconds]
import { createTestDatabase } from '@orders/infra';
import { seededRandom } from '@orders/testing';
import { createDb } from '../src/db.ts';
import { silentLogger } from '../src/logger.ts';
import { migrate } from '../src/migrations.ts';
import { createOrderSearch, createSearchDb } from '../src/order-search.ts';
import { fillSearchColumns } from '../src/search-fill.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const CONCURRENCY = (process.argv[3] ?? '200').split(',').map(Number); // one run per level
const SECONDS = Number(process.argv[4] ?? 10);
const TRACKS = Math.ceil(N / 5); // ~5 orders per track number
const CUSTOMERS = Math.ceil(N / 50); // ~50 orders per customer
const BASE = Date.parse('2025-01-01T00:00:00Z');
const SPAN_S = 365 * 86_400;

const database = await createTestDatabase();
const db = createDb({
  connectionString: database.url,
  logger: silentLogger,
  max: 2,
  statementTimeoutMillis: 600_000,
});
try {
  await migrate(db);
  await fillSearchColumns(db);
  const t0 = performance.now();
  for (let from = 1; from <= N; from += 100_000) {
    const to = Math.min(N, from + 99_999);
    await db.query(
      `INSERT INTO orders (order_uid, data, body, etag, date_created, src_partition, src_offset,
         track_number, customer_id)
       SELECT 'u' || g, d, d::text, 'e', to_timestamp($3 + (g::int8 * 7919 % $4)), 0, g, d ->> 'track_number', d ->> 'customer_id'
       FROM generate_series($1::int, $2::int) g,
         LATERAL (SELECT jsonb_build_object('track_number', 'T' || (g % $5), 'customer_id', 'C' || (g % $6),
           'date_created', to_char(to_timestamp($3 + (g::int8 * 7919 % $4)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'payment', jsonb_build_object('amount', 100, 'currency', 'USD'), 'items', '[{}]'::jsonb) AS d) x`,
      [from, to, BASE / 1000, SPAN_S, TRACKS, CUSTOMERS],
    );
  }
  await db.query('VACUUM ANALYZE orders');
  console.log(`loaded ${N} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const searchDb = createSearchDb(database.url, silentLogger);
  const search = createOrderSearch(searchDb);
  const random = seededRandom(16);
  const pick = (n: number) => Math.floor(random() * n);
  const day = (offset: number) => new Date(BASE + offset * 86_400_000).toISOString();
  const kinds = [
    () => ({ trackNumber: `T${pick(TRACKS)}` }),
    () => ({ customerId: `C${pick(CUSTOMERS)}` }),
    () => {
      const d = pick(300);
      return { customerId: `C${pick(CUSTOMERS)}`, from: day(d), to: day(d + 60) };
    },
    () => {
      const d = pick(360);
      return { from: day(d), to: day(d + 1) };
    },
  ] as const;
  for (const concurrency of CONCURRENCY) {
    const latencies: number[] = [];
    let errors = 0;
    const end = performance.now() + SECONDS * 1000;
    const worker = async () => {
      while (performance.now() < end) {
        const query = { ...(kinds[pick(kinds.length)] ?? kinds[0])(), limit: 20 };
        const started = performance.now();
        try {
          await search(query, { timeoutMs: 2_000, signal: new AbortController().signal });
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
    console.log(
      JSON.stringify({
        orders: N,
        concurrency: concurrency,
        searches: latencies.length,
        perSecond: Math.round(latencies.length / SECONDS),
        p50ms: q(0.5),
        p99ms: q(0.99),
        errors,
      }),
    );
  }
  await searchDb.end();
} finally {
  await db.end();
  await database.drop();
}
