// Child process of ingest.bench.ts: restore the newest `limit` orders of a database into a fresh
// store and report time and memory, in a process holding nothing else (run with --expose-gc).
import { createOrderStore } from '@orders/store';
import { createDb } from '../src/db.ts';
import { silentLogger } from '../src/logger.ts';
import { createOrdersRepo } from '../src/orders-repo.ts';
import { restoreFromDatabase } from '../src/restore.ts';

const [url, limitText] = process.argv.slice(2);
const limit = Number(limitText);
const gc = (globalThis as { gc?: () => void }).gc;
if (!url || !gc) throw new Error('usage: node --expose-gc restore-probe.ts <database-url> <limit>');

const db = createDb({ connectionString: url, logger: silentLogger, max: 2 });
const repo = createOrdersRepo(db);
await db.query('SELECT 1'); // connect before measuring
const store = createOrderStore({ maxOrders: limit, maxBytes: 4 * 1024 ** 3, maxAgeMs: Infinity });
gc();
const before = process.memoryUsage();
const result = await restoreFromDatabase({
  repo,
  store,
  limits: { maxOrders: limit, maxBytes: 4 * 1024 ** 3, maxAgeMs: 10 * 365 * 86_400_000 },
  logger: silentLogger,
  ...(process.env.RESTORE_PAGE_SIZE ? { pageSize: Number(process.env.RESTORE_PAGE_SIZE) } : {}),
});
// backing stores of dead ArrayBuffers are freed after the GC that finds them: collect twice
gc();
await new Promise((r) => setTimeout(r, 50));
gc();
const after = process.memoryUsage();
await db.end();
process.stdout.write(
  `${JSON.stringify({
    orders: result.orders,
    bytes: result.bytes,
    ms: result.ms,
    heapDelta: after.heapUsed - before.heapUsed,
    externalDelta: after.external - before.external,
    rssDelta: after.rss - before.rss,
    rss: after.rss,
    heapUsed: after.heapUsed,
    heapTotal: after.heapTotal,
    external: after.external,
  })}\n`,
);
