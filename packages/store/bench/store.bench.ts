// Benchmark of the in-memory order store: cost per operation, sweep time and memory per 100,000
// realistic orders (1–6 items, ~0.8–1.9 KB of JSON each, built from the model's order sample).
// Run: node --expose-gc bench/store.bench.ts   (pnpm bench)
// Prints the figures and writes them to bench/results/store.json at the repo root.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { encodeOrder, validateOrder } from '@orders/model';
import sample from '@orders/model/fixtures/order-sample.json' with { type: 'json' };
import { seededRandom } from '@orders/testing';
import { createOrderStore, type OrderStore, type StoredOrder } from '../src/index.ts';

const N = 100_000;
const LOOKUPS = 1_000_000;
const RUNS = 3;
const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2025, 0, 31);
const repoRoot = join(import.meta.dirname, '../../..');

const gc = globalThis.gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/**
 * The i-th order of a run, as ingest hands it to put(): validated, then encodeOrder's canonical body
 * (a Buffer.from view into Node's shared pool) and ETag. Dates spread over the last 28 days so that
 * a 14-day sweep removes about half.
 */
function makeOrder(i: number, random: () => number, uidPrefix: string): StoredOrder {
  const uid = `${uidPrefix}${i.toString(16).padStart(8, '0')}${Math.floor(random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0')}`;
  const items = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, k) => ({
    ...sample.items[0],
    chrt_id: Math.floor(random() * 1e7),
    rid: `${uid}r${k}`,
    price: Math.floor(random() * 10_000),
  }));
  const dateCreated = NOW - Math.floor(random() * 28 * DAY);
  const checked = validateOrder({
    ...sample,
    order_uid: uid,
    items,
    date_created: new Date(dateCreated).toISOString(),
  });
  if (!checked.ok) throw new Error(`invalid bench order: ${JSON.stringify(checked.problems)}`);
  const { body, etag } = encodeOrder(checked.order);
  return { id: i + 1, uid, body, etag, dateCreated };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function timeMs(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage();
}

const unbounded = { maxOrders: Infinity, maxBytes: Infinity, maxAgeMs: 14 * DAY };

// 1. Memory. 1,000 orders are validated and encoded up front; each stored order is a fresh copy of
// one of them (a pooled Buffer, as encodeOrder returns) with its own order_uid written in, its own
// ETag and date. Generating 100,000 orders through zod here would leave ~120 MB of free-but-
// committed V8 heap in the RSS figure: the harness's garbage, not what the store holds. In a
// function, so the store is garbage before the speed runs.
const templateRandom = seededRandom(1);
const templates = Array.from({ length: 1000 }, (_, i) => makeOrder(i, templateRandom, 't'));
function memoryOrder(i: number, random: () => number): StoredOrder {
  const template = templates[i % templates.length] as StoredOrder;
  const uid = `m${i.toString(16).padStart(8, '0')}${Math.floor(random() * 2 ** 32)
    .toString(16)
    .padStart(8, '0')}`; // same length as the template's uid
  const body = Buffer.allocUnsafe(template.body.length);
  template.body.copy(body);
  body.write(uid, template.body.indexOf(template.uid));
  // Built the way encodeOrder builds it (a cons string over a slice), so its real cost shows.
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
  return { id: i + 1, uid, body, etag, dateCreated: NOW - Math.floor(random() * 28 * DAY) };
}

function measureMemory() {
  const before = settle();
  const store = createOrderStore(unbounded);
  const random = seededRandom(1);
  for (let i = 0; i < N; i++) store.put(memoryOrder(i, random));
  const after = settle();
  const { bytes, heldBytes } = store.stats();
  return {
    rawBytes: bytes,
    heldBytes,
    heapDelta: after.heapUsed - before.heapUsed,
    heapTotalDelta: after.heapTotal - before.heapTotal,
    externalDelta: after.external - before.external, // includes arrayBuffers (the bodies)
    rssDelta: after.rss - before.rss,
  };
}
const { rawBytes, heldBytes, heapDelta, heapTotalDelta, externalDelta, rssDelta } = measureMemory();

// 2. Speed. Inputs have unique ids, uids and dates but share 1,000 distinct bodies (the store copies
// every body anyway): 200,000 full inputs would make the benchmark's own heap, not the store, what
// the garbage collector spends its time on.
const random = seededRandom(2);
const bodies = Array.from({ length: 1000 }, (_, i) => makeOrder(i, random, 'x'));
function input(i: number, uidPrefix: string): StoredOrder {
  const { body, etag } = bodies[i % bodies.length] ?? makeOrder(i, random, 'x');
  const uid = `${uidPrefix}${i.toString(16).padStart(8, '0')}${Math.floor(random() * 2 ** 32)}`;
  return { id: i + 1, uid, body, etag, dateCreated: NOW - Math.floor(random() * 28 * DAY) };
}
const inputs = Array.from({ length: N }, (_, i) => input(i, 'a'));
const more = Array.from({ length: N }, (_, i) => input(N + i, 'b'));
const uidsShuffled = shuffle(inputs.map((o) => o.uid));
const idsShuffled = shuffle(inputs.map((o) => o.id));

function shuffle<T>(values: T[]): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j] as T, values[i] as T];
  }
  return values;
}

const put: number[] = [];
const putEvicting: number[] = [];
const getByUid: number[] = [];
const getById: number[] = [];
const sweepNone: number[] = [];
const sweepHalf: number[] = [];
let removedByHalfSweep = 0;
let compactionsInHalfSweep = 0;
let sink = 0;
for (let run = 0; run < RUNS; run++) {
  settle();
  const store = createOrderStore({ ...unbounded, maxOrders: N });
  put.push(timeMs(() => putAll(store, inputs)));
  lookups(store);
  sweepNone.push(timeMs(() => store.removeExpired(NOW - 28 * DAY)));
  // A full store: every put evicts the oldest.
  putEvicting.push(timeMs(() => putAll(store, more)));
  putAll(store, inputs);
  sweepHalf.push(
    timeMs(() => {
      removedByHalfSweep = store.removeExpired(NOW);
    }),
  );
  compactionsInHalfSweep = store.stats().compactions;
}

function putAll(store: OrderStore, orders: StoredOrder[]): void {
  for (const o of orders) store.put(o);
}

function lookups(store: OrderStore): void {
  getByUid.push(
    timeMs(() => {
      for (let i = 0; i < LOOKUPS; i++) sink += store.getByUid(uidsShuffled[i % N] ?? '')?.id ?? 0;
    }),
  );
  getById.push(
    timeMs(() => {
      for (let i = 0; i < LOOKUPS; i++) sink += store.getById(idsShuffled[i % N] ?? 0)?.id ?? 0;
    }),
  );
}
if (sink === 0) throw new Error('lookups found nothing');

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const ratio = (bytes: number) => Math.round((bytes / rawBytes) * 100) / 100;
const results = {
  orders: N,
  node: process.version,
  'load average (1 min) at end': Math.round((loadavg()[0] ?? 0) * 100) / 100,
  'put ns/op (filling)': Math.round((median(put) * 1e6) / N),
  'put ns/op (full, each evicts one)': Math.round((median(putEvicting) * 1e6) / N),
  'getByUid ns/op': Math.round((median(getByUid) * 1e6) / LOOKUPS),
  'getById ns/op': Math.round((median(getById) * 1e6) / LOOKUPS),
  'removeExpired ms (100k scanned, none expire)': Math.round(median(sweepNone) * 100) / 100,
  'removeExpired ms (100k scanned, about half expire)': Math.round(median(sweepHalf) * 100) / 100,
  'removeExpired removed (about half)': removedByHalfSweep,
  'compactions (half sweep, last run)': compactionsInHalfSweep,
  'raw JSON held MB': mb(rawBytes),
  'avg body bytes': Math.round(rawBytes / N),
  'held body buffers MB (chunks)': mb(heldBytes),
  'heap used delta MB': mb(heapDelta),
  'heap total delta MB': mb(heapTotalDelta),
  'external (bodies) delta MB': mb(externalDelta),
  'heap+external per raw byte': ratio(heapDelta + externalDelta),
  'rss delta MB': mb(rssDelta),
  'rss per raw byte': ratio(rssDelta),
  'overhead bytes per order (heap+external − raw)': Math.round(
    (heapDelta + externalDelta - rawBytes) / N,
  ),
};

for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(52)} ${v}`);
const out = join(repoRoot, 'bench/results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'store.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`written ${join(out, 'store.json')}`);
