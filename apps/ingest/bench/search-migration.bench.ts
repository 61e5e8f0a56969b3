// What migration step 5 and the search fill cost the writers: N rows (~2.5 KB of data) stored
// under step 4, then 100-row inserts back to back on one connection while, in turn, nothing runs,
// migrate() applies step 5, and fillSearchColumns builds the indexes and fills the rows. Each
// phase prints its duration and the inserts' median and worst latency.
// pnpm --filter @orders/ingest exec node bench/search-migration.bench.ts [rows]
import { createTestDatabase } from '@orders/infra';
import { createDb } from '../src/db.ts';
import { silentLogger } from '../src/logger.ts';
import { migrate } from '../src/migrations.ts';
import { fillSearchColumns } from '../src/search-fill.ts';

const N = Number(process.argv[2] ?? 200_000);
const database = await createTestDatabase();
const db = createDb({
  connectionString: database.url,
  logger: silentLogger,
  max: 3,
  statementTimeoutMillis: 600_000,
});
try {
  await migrate(db, { upTo: 4 });
  const pad = 'x'.repeat(2500);
  await db.query(
    `INSERT INTO orders (order_uid, data, body, etag, date_created, src_partition, src_offset)
     SELECT 'u' || g, jsonb_build_object('track_number', 'T' || g, 'customer_id', 'C' || (g % 1000), 'pad', $2::text),
       '{}', 'e', now(), 0, g FROM generate_series(1, $1::int) g`,
    [N, pad],
  );
  await db.query('VACUUM ANALYZE orders');
  let next = N + 1;
  let stop = false;
  const lat: number[] = [];
  const writer = (async () => {
    while (!stop) {
      const t = performance.now();
      await db.query(
        `INSERT INTO orders (order_uid, data, body, etag, date_created, src_partition, src_offset)
         SELECT 'w' || g, jsonb_build_object('track_number', 'W' || g, 'pad', $3::text), '{}', 'e', now(), 0, g
         FROM generate_series($1::int, $2::int) g`,
        [next, next + 99, pad],
      );
      next += 100;
      lat.push(performance.now() - t);
    }
  })();
  const phase = async (name: string, fn: () => Promise<unknown>) => {
    lat.length = 0;
    const t = performance.now();
    await fn();
    const ms = performance.now() - t;
    const sorted = [...lat].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        phase: name,
        ms: Math.round(ms),
        writes: sorted.length,
        writeP50: sorted[Math.floor(sorted.length / 2)]?.toFixed(1),
        writeMax: sorted.at(-1)?.toFixed(1),
      }),
    );
  };
  await phase('baseline 3 s', () => new Promise((r) => setTimeout(r, 3000)));
  await phase('migrate step 5', () => migrate(db));
  await phase('fill (3 indexes concurrently + batches)', () =>
    fillSearchColumns(db, { pauseMs: 20 }),
  );
  stop = true;
  await writer;
} finally {
  await db.end();
  await database.drop();
}
