// pnpm bench:ingest — the ingest pipeline against the local Kafka + PostgreSQL.
//  1. pre-fill a fresh 6-partition topic with 200,000 realistic orders (the producer's seeded faker)
//  2. start ingest (in-process) on a fresh database; time until every order is in PostgreSQL and
//     servable from memory → orders/s (a CPU profile of this phase is written with BENCH_PROFILE=1)
//  3. steady 5,000 orders/s for 15 s: produce → servable latency (p50/p99), servable = put in the
//     store, which happens right after the PostgreSQL COMMIT
//  4. restore of the newest 100,000 orders in a fresh process: time, heap and RSS per 100,000
// Writes bench/results/ingest.json at the repository root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, createTestTopic } from '@orders/infra';
import { createProducer, deleteTopics, withAdmin } from '@orders/kafka';
import { createOrderFaker } from '@orders/producer';
import type { StoredOrder } from '@orders/store';
import { createDb } from '../src/db.ts';
import { createIngest } from '../src/ingest.ts';
import { createLogger, silentLogger } from '../src/logger.ts';
import { migrate } from '../src/migrations.ts';
import { FILL_LOCK_KEY, SEARCH_INDEXES } from '../src/search-fill.ts';
import { configFrom, freePort, rowCount, sql, waitFor } from '../test/harness.ts';

const TOTAL = Number(process.env.BENCH_ORDERS ?? 200_000);
const RESTORE = Math.min(100_000, TOTAL);
const STEADY_RATE = 5_000;
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 15);
const PARTITIONS = 6;
const root = join(import.meta.dirname, '../../..');
const log = (line: string) => process.stderr.write(`[bench:ingest] ${line}\n`);

const topic = await createTestTopic({ partitions: PARTITIONS });
const database = await createTestDatabase();
const kafka = { clientId: 'bench', brokers: topic.brokers };
const faker = createOrderFaker({ seed: 42, baseDate: Date.now() });

async function prefill(): Promise<{ bytes: number; ms: number }> {
  const producer = await createProducer(kafka);
  const started = performance.now();
  let bytes = 0;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < TOTAL; i += 1_000) {
    const messages = [];
    for (let j = i; j < Math.min(TOTAL, i + 1_000); j++) {
      const order = faker.order();
      const value = JSON.stringify(order);
      bytes += Buffer.byteLength(value);
      messages.push({ key: order.order_uid, value });
    }
    inflight.push(producer.send(topic.topic, messages));
    if (inflight.length >= 4) await inflight.shift();
  }
  await Promise.all(inflight);
  await producer.close();
  return { bytes, ms: performance.now() - started };
}

log(`pre-filling ${TOTAL} orders`);
const filled = await prefill();
log(`pre-filled ${(filled.bytes / 1e6).toFixed(1)} MB in ${(filled.ms / 1000).toFixed(1)} s`);

// BENCH_SEARCH_INDEXES=0: the schema without the three search indexes, to tell what they cost the
// upsert apart from what the commit path costs (the migration is idempotent: ingest skips it). The
// search fill would build them again at ingest's start: a session here holds the fill's lock
let releaseFillLock: (() => void) | undefined;
if (process.env.BENCH_SEARCH_INDEXES === '0') {
  const db = createDb({ connectionString: database.url, logger: silentLogger, max: 1 });
  await migrate(db);
  for (const { name } of SEARCH_INDEXES) await db.query(`DROP INDEX ${name}`);
  const held = new Promise<void>((resolve) => {
    releaseFillLock = resolve;
  });
  let locked: () => void = () => {};
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const holder = db.withClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [FILL_LOCK_KEY]);
    locked();
    await held;
  });
  await taken;
  const release = releaseFillLock;
  releaseFillLock = () => {
    release?.();
    void holder.then(() => db.end());
  };
  log('search indexes dropped, the search fill kept from building them');
}

const port = await freePort();
const config = configFrom({
  DATABASE_URL: database.url,
  KAFKA_BROKERS: topic.brokers.join(','),
  KAFKA_TOPIC: topic.topic,
  KAFKA_GROUP_ID: `bench-${topic.topic}`,
  KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
  SERVER_HOST: '127.0.0.1',
  SERVER_PORT: String(port),
  MEMORY_RESTORE_DATA: '0',
  MEMORY_ORDERS_LIMIT: String(TOTAL + STEADY_RATE * STEADY_SECONDS),
  MEMORY_MAX_BYTES: '2GiB',
  LOG_LEVEL: 'warn',
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k.startsWith('INGEST_') || k.startsWith('DB_POOL') || k.startsWith('KAFKA_FETCH'),
    ) as [string, string][],
  ),
});
const ingest = createIngest(config, { logger: createLogger({ level: 'warn' }), lagIntervalMs: 0 });

// servable timestamps for the latency phase: wrap the store's put (same process)
const pending = new Map<string, number>();
const latencies: number[] = [];
const put = ingest.store.put.bind(ingest.store);
ingest.store.put = (order: StoredOrder) => {
  const sent = pending.get(order.uid);
  if (sent !== undefined) {
    latencies.push(performance.now() - sent);
    pending.delete(order.uid);
  }
  return put(order);
};

const profile = process.env.BENCH_PROFILE === '1' ? new Session() : undefined;
if (profile) {
  profile.connect();
  await profile.post('Profiler.enable');
  await profile.post('Profiler.setSamplingInterval', { interval: 500 });
  await profile.post('Profiler.start');
}
const startedAt = performance.now();
await ingest.start();
const readyAt = performance.now();
const cpuAtReady = process.cpuUsage();
const machineAtReady = machineCpuTicks();
const eluAtReady = performance.eventLoopUtilization();
// the join, reading the stored offsets and the first fetch come before the first batch: a fixed
// cost of the start, printed apart so it is not mistaken for a slower pipeline
await waitFor(() => ingest.store.stats().count > 0, 600_000, 'a first order servable', 5);
const firstAt = performance.now();
await waitFor(() => ingest.store.stats().count >= TOTAL, 600_000, 'all orders servable', 20);
const doneAt = performance.now();
// CPU per order, less sensitive to other work on the machine than orders/s: this process (ingest
// plus this harness's waiting) and the PostgreSQL backends serving the fresh database (all of them
// ingest's pool; /proc is readable as PostgreSQL runs on this machine).
const nodeCpu = process.cpuUsage(cpuAtReady);
// share of the phase the main thread was busy: near 1, ingest's own thread is the limit
const eventLoopUtilization = performance.eventLoopUtilization(eluAtReady).utilization;
const machineAtDone = machineCpuTicks();
const pgBackendMs = await postgresBackendCpuMs(database.url, database.name);
if (profile) {
  const { profile: cpu } = await profile.post('Profiler.stop');
  const file = join(root, 'bench/results/ingest.cpuprofile');
  writeFileSync(file, JSON.stringify(cpu));
  log(`cpu profile: ${file}`);
  profile.disconnect();
}
const cpuPerOrder = {
  ingestProcessUs: Math.round(((nodeCpu.user + nodeCpu.system) / TOTAL) * 10) / 10,
  postgresBackendsUs:
    pgBackendMs === undefined ? null : Math.round(((pgBackendMs * 1000) / TOTAL) * 10) / 10,
};
// Whether the machine was the limit: all cores' busy share over the ingest phase. What is busy
// beyond ingest and PostgreSQL is mostly the broker (and anything else running).
const busyTicks =
  machineAtReady && machineAtDone
    ? machineAtDone.total - machineAtDone.idle - (machineAtReady.total - machineAtReady.idle)
    : undefined;
const machineBusy =
  busyTicks === undefined || !machineAtReady || !machineAtDone
    ? undefined
    : busyTicks / (machineAtDone.total - machineAtReady.total);
// /proc/stat counts in clock ticks (100 Hz): 10,000 µs each
const cpuPerOrderAll = {
  ...cpuPerOrder,
  wholeMachineUs: busyTicks === undefined ? null : Math.round((busyTicks * 100_000) / TOTAL) / 10,
};
log(
  `cpu per order: ingest ${cpuPerOrder.ingestProcessUs} µs, postgres ${cpuPerOrder.postgresBackendsUs} µs, whole machine ${cpuPerOrderAll.wholeMachineUs} µs; machine busy ${machineBusy === undefined ? '?' : Math.round(machineBusy * 100)} % of ${cpus().length} cores; ingest event loop busy ${Math.round(eventLoopUtilization * 100)} %`,
);
const rows = await rowCount(database.url);
if (rows !== TOTAL) throw new Error(`expected ${TOTAL} rows, found ${rows}`);
const ingestSeconds = (doneAt - readyAt) / 1000;
const ordersPerSecond = Math.round(TOTAL / ingestSeconds);
const firstMs = Math.round(firstAt - readyAt);
const ordersPerSecondAfterFirst = Math.round(TOTAL / ((doneAt - firstAt) / 1000));
log(`ingested ${TOTAL} in ${ingestSeconds.toFixed(2)} s → ${ordersPerSecond} orders/s`);
log(
  `first order servable ${firstMs} ms after start() resolved; from then on ${ordersPerSecondAfterFirst} orders/s`,
);
const mem = process.memoryUsage();

// steady 5,000/s: 50 orders every 10 ms
log(`steady ${STEADY_RATE}/s for ${STEADY_SECONDS} s`);
const producer = await createProducer(kafka);
const tick = 10;
const perTick = (STEADY_RATE * tick) / 1000;
const steadyStart = performance.now();
let sent = 0;
const sends: Promise<unknown>[] = [];
while (sent < STEADY_RATE * STEADY_SECONDS) {
  const due = Math.floor(((performance.now() - steadyStart) / 1000) * STEADY_RATE);
  if (due > sent) {
    const n = Math.min(due - sent, perTick * 4);
    const messages = [];
    const now = performance.now();
    for (let i = 0; i < n; i++) {
      const order = faker.order();
      pending.set(order.order_uid, now);
      messages.push({ key: order.order_uid, value: JSON.stringify(order) });
    }
    sends.push(producer.send(topic.topic, messages));
    sent += n;
  }
  await new Promise((r) => setTimeout(r, tick));
}
await Promise.all(sends);
await waitFor(() => pending.size === 0, 60_000, 'steady orders servable', 20);
await producer.close();
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
log(`latency p50 ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms (${latencies.length})`);
await ingest.stop();
const searchIndexes = await sql<{ n: number }>(
  database.url,
  'SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = ANY($1)',
  [SEARCH_INDEXES.map((i) => i.name)],
);
log(`search indexes present at the end: ${searchIndexes[0]?.n} of ${SEARCH_INDEXES.length}`);
releaseFillLock?.();

// BENCH_DIAG=1: what PostgreSQL holds and runs as the probe starts, and the restore's reads
// (EXPLAIN ANALYZE, BUFFERS) before and after it: dirtied buffers are hint bits being set
if (process.env.BENCH_DIAG === '1') await diagnose('before the probe');
log(`restore of ${RESTORE} in a fresh process`);
const probe = spawnSync(
  process.execPath,
  ['--expose-gc', join(import.meta.dirname, 'restore-probe.ts'), database.url, String(RESTORE)],
  { encoding: 'utf8' },
);
if (probe.status !== 0) throw new Error(`restore probe failed: ${probe.stderr}`);
const restore = JSON.parse(probe.stdout) as {
  orders: number;
  bytes: number;
  ms: number;
  heapDelta: number;
  externalDelta: number;
  rssDelta: number;
};
const per100k = 100_000 / restore.orders;
log(`restored ${restore.orders} in ${restore.ms} ms`);
if (process.env.BENCH_DIAG === '1') await diagnose('after the probe');

const results = {
  // the machine is shared (2 cores, Kafka + PostgreSQL + other work): figures vary run to run
  loadAverage1mAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  orders: TOTAL,
  partitions: PARTITIONS,
  partitionsConcurrency: config.ingest.partitionsConcurrency,
  rawJsonMB: Math.round(filled.bytes / 1e5) / 10,
  throughput: {
    ordersPerSecond,
    seconds: Math.round(ingestSeconds * 100) / 100,
    startToReadyMs: Math.round(readyAt - startedAt),
    readyToFirstServableMs: firstMs,
    ordersPerSecondAfterFirst,
    target: 20_000,
  },
  cpuPerOrder: cpuPerOrderAll,
  machineBusyPercent: machineBusy === undefined ? null : Math.round(machineBusy * 1000) / 10,
  ingestEventLoopUtilization: Math.round(eventLoopUtilization * 100) / 100,
  latencyAt5000PerSecond: {
    p50Ms: Math.round(pct(0.5) * 10) / 10,
    p99Ms: Math.round(pct(0.99) * 10) / 10,
    samples: latencies.length,
  },
  restore100k: {
    orders: restore.orders,
    ms: restore.ms,
    target: 2_000,
  },
  // measured in the restore process: growth from before the restore to after it (two GCs)
  memoryPer100k: {
    storedJsonMB: Math.round((restore.bytes * per100k) / 1e5) / 10,
    heapMB: Math.round((restore.heapDelta * per100k) / 1e5) / 10,
    externalMB: Math.round((restore.externalDelta * per100k) / 1e5) / 10,
    rssMB: Math.round((restore.rssDelta * per100k) / 1e5) / 10,
    liveRatioToJson:
      Math.round(((restore.heapDelta + restore.externalDelta) / restore.bytes) * 100) / 100,
    rssRatioToJson: Math.round((restore.rssDelta / restore.bytes) * 100) / 100,
    target: 2.5,
  },
  ingestProcessAfterRun: {
    rssMB: Math.round(mem.rss / 1e5) / 10,
    heapUsedMB: Math.round(mem.heapUsed / 1e5) / 10,
  },
};
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/ingest.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);

async function diagnose(when: string): Promise<void> {
  const url = database.url;
  const others = await sql(
    url,
    `SELECT pid, backend_type, application_name, state, wait_event, left(query, 60) AS query
     FROM pg_stat_activity WHERE (datname = $1 OR backend_type = 'autovacuum worker')
       AND pid <> pg_backend_pid()`,
    [database.name],
  );
  log(`diag ${when}: backends ${JSON.stringify(others)}`);
  const tables = await sql(
    url,
    `SELECT t.relname, n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_hot_upd,
       autovacuum_count, autoanalyze_count, last_autovacuum, c.relpages, c.relallvisible
     FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid
     WHERE t.relname IN ('orders', 'consumer_offsets', 'dead_letters')`,
  );
  log(`diag ${when}: tables ${JSON.stringify(tables)}`);
  const vacuums = await sql(
    url,
    'SELECT relid::regclass::text AS rel, phase FROM pg_stat_progress_vacuum',
  );
  const xacts = await sql(
    url,
    'SELECT xact_commit, xact_rollback, blks_read, blks_hit FROM pg_stat_database WHERE datname = $1',
    [database.name],
  );
  log(`diag ${when}: database ${JSON.stringify(xacts)}`);
  log(`diag ${when}: vacuums in progress ${JSON.stringify(vacuums)}`);
  const maxId = (await sql<{ m: string }>(url, 'SELECT max(id)::text AS m FROM orders'))[0]?.m;
  const plan = await sql<{ 'QUERY PLAN': string }>(
    url,
    `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)
     SELECT id, order_uid, body, etag, date_created, src_partition FROM orders
     WHERE id > $1 - $2 AND id <= $1 ORDER BY id`,
    [Number(maxId), RESTORE],
  );
  log(`diag ${when}: window read\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
  const bounds = await sql<{ 'QUERY PLAN': string }>(
    url,
    `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)
     SELECT min(id), max(id) FROM (
       SELECT id, sum(octet_length(body)) OVER (ORDER BY id DESC ROWS UNBOUNDED PRECEDING) AS cum
       FROM orders WHERE date_created >= to_timestamp($1 / 1000.0)
       ORDER BY id DESC LIMIT $2) w WHERE cum <= $3::float8`,
    [Date.now() - 10 * 365 * 86_400_000, RESTORE, 4 * 1024 ** 3],
  );
  log(`diag ${when}: window bounds\n${bounds.map((r) => r['QUERY PLAN']).join('\n')}`);
}

/** All cores' ticks from /proc/stat (idle includes iowait), or undefined where it is unreadable. */
function machineCpuTicks(): { total: number; idle: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { total, idle: (ticks[3] ?? 0) + (ticks[4] ?? 0) };
  } catch {
    return undefined;
  }
}

/** user + system CPU of the backends connected to `name`, from /proc (undefined if unreadable) */
async function postgresBackendCpuMs(url: string, name: string): Promise<number | undefined> {
  const pids = await sql<{ pid: number }>(
    url,
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [name],
  );
  let ms = 0;
  for (const { pid } of pids) {
    try {
      // fields after "(comm) ": state is [0], utime [11], stime [12], in clock ticks (100 Hz)
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ms += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      return undefined;
    }
  }
  return ms;
}

// autovacuum may still be busy on the fresh table: retry the drop for a while
await waitFor(
  () =>
    database.drop().then(
      () => true,
      () => false,
    ),
  60_000,
  'benchmark database dropped',
  1_000,
).catch((err) => log(String(err)));
await topic.delete();
await withAdmin(kafka, (admin) => deleteTopics(admin, [config.kafka.dlqTopic])).catch(() => {});
process.exit(0);
