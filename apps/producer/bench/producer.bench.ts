// Producer throughput: how many orders/s reach the local broker with --rate 0, and where the
// time goes. Three parts:
//   1. generation alone (faker pools + JSON), no Kafka;
//   2. sending pre-generated messages over a batch × concurrency grid (client + broker cost);
//   3. the real --rate 0 path: generate on the fly and send, with the defaults and the best grid
//      setting.
// Run: node bench/producer.bench.ts (pnpm bench). Prints a table and writes
// bench/results/producer.json at the repository root. Each send run uses a fresh 6-partition
// topic (ingest's default), deleted afterwards.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createTestTopic } from '@orders/infra';
import { SEEDED_BASE_DATE } from '../src/fake-order.ts';
import { createMessageSource, type OutgoingMessage } from '../src/messages.ts';
import type { PlanRatios } from '../src/plan.ts';
import { runProducer } from '../src/producer.ts';

const MAX_BYTES = 512 * 1024;
const SEND_COUNT = Number(process.env.BENCH_PRODUCER_COUNT ?? 200_000);
const GENERATE_COUNT = 200_000;
const NO_MIX: PlanRatios = { invalid: 0, duplicate: 0, update: 0 };
const MIX: PlanRatios = { invalid: 0.05, duplicate: 0.05, update: 0.05 };

type Figure = {
  ordersPerSecond: number;
  cpuMicrosPerOrder: number;
  avgBytes?: number;
  megabytesPerSecond?: number;
};

function generation(ratios: PlanRatios): Figure {
  const source = createMessageSource({
    seed: 1,
    baseDate: SEEDED_BASE_DATE,
    ratios,
    maxBytes: MAX_BYTES,
  });
  for (let i = 0; i < 20_000; i++) source.next(); // warm-up: faker pools, JIT
  const cpu = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < GENERATE_COUNT; i++) {
    const { value } = source.next();
    bytes += value === null ? 0 : typeof value === 'string' ? value.length : value.byteLength;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    ordersPerSecond: Math.round(GENERATE_COUNT / seconds),
    cpuMicrosPerOrder: round((used.user + used.system) / GENERATE_COUNT),
    avgBytes: Math.round(bytes / GENERATE_COUNT),
  };
}

async function send(opts: {
  batch: number;
  concurrency: number;
  pregenerated: boolean;
  ratios?: PlanRatios;
  generateInWorker?: boolean;
}): Promise<Figure & { errors: number }> {
  const topic = await createTestTopic({ partitions: 6 });
  try {
    let source: { next(): OutgoingMessage } | undefined;
    if (opts.pregenerated) {
      const made = createMessageSource({
        seed: 2,
        baseDate: SEEDED_BASE_DATE,
        ratios: NO_MIX,
        maxBytes: MAX_BYTES,
      });
      const pool = Array.from({ length: 20_000 }, () => made.next());
      let i = 0;
      source = { next: () => pool[i++ % pool.length] as OutgoingMessage };
    }
    const cpu = process.cpuUsage();
    const outcome = await runProducer({
      brokers: topic.brokers,
      topic: topic.topic,
      partitions: 6,
      count: SEND_COUNT,
      rate: 0,
      concurrency: opts.concurrency,
      batch: opts.batch,
      ratios: opts.ratios ?? NO_MIX,
      seed: 3,
      baseDate: Date.now(),
      maxBytes: MAX_BYTES,
      ...(source ? { source } : {}),
      ...(opts.generateInWorker === undefined ? {} : { generateInWorker: opts.generateInWorker }),
    });
    const used = process.cpuUsage(cpu);
    if (!outcome.ok) throw new Error(`send failed: ${outcome.error.message}`);
    const seconds = outcome.summary.elapsedMs / 1000;
    return {
      ordersPerSecond: outcome.summary.ordersPerSecond,
      cpuMicrosPerOrder: round((used.user + used.system) / SEND_COUNT),
      // Values only; the mix's oversize (~512 KiB) and too-many-items (~300 KB) messages weigh.
      avgBytes: Math.round(outcome.summary.bytes / Math.max(1, outcome.summary.sent)),
      megabytesPerSecond: round(outcome.summary.bytes / 1e6 / seconds),
      errors: outcome.summary.errors,
    };
  } finally {
    await topic.delete();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

// Other work on the machine skews every figure: the 1-minute load average is recorded with them.
const loadStart = round(loadavg()[0] ?? 0);
process.stdout.write(`load average ${loadStart} on ${cpus().length} cores\n`);
const rows: string[] = [];
const line = (name: string, f: Figure & { errors?: number }) => {
  const mb =
    f.megabytesPerSecond === undefined ? '' : `  ${String(f.megabytesPerSecond).padStart(5)} MB/s`;
  const text = `${name.padEnd(52)} ${String(f.ordersPerSecond.toLocaleString('en-US')).padStart(9)} orders/s  ${String(f.cpuMicrosPerOrder).padStart(5)} µs CPU/order${mb}${f.errors ? `  errors ${f.errors}` : ''}`;
  rows.push(text);
  process.stdout.write(`${text}\n`);
};

const generationValid = generation(NO_MIX);
line(`generate only, valid (avg ${generationValid.avgBytes} B)`, generationValid);
const generationMixed = generation(MIX);
line('generate only, 5% invalid/duplicate/update', generationMixed);

const grid: Record<string, Figure & { errors: number }> = {};
let best = { key: '', batch: 500, concurrency: 4, ordersPerSecond: 0 };
const tryOne = async (batch: number, concurrency: number) => {
  const key = `batch${batch}_concurrency${concurrency}`;
  const figure = await send({ batch, concurrency, pregenerated: true });
  grid[key] = figure;
  line(`send pre-generated, batch ${batch}, concurrency ${concurrency}`, figure);
  if (figure.ordersPerSecond > best.ordersPerSecond) {
    best = { key, batch, concurrency, ordersPerSecond: figure.ordersPerSecond };
  }
};
for (const batch of [250, 500, 1000, 2000, 5000]) await tryOne(batch, 4);
for (const concurrency of [1, 2, 8]) await tryOne(best.batch, concurrency);

const defaults = await send({ batch: 500, concurrency: 4, pregenerated: false });
line('--rate 0, defaults (500 × 4, worker thread)', defaults);
const oneThread = await send({
  batch: 500,
  concurrency: 4,
  pregenerated: false,
  generateInWorker: false,
});
line('--rate 0, defaults, generated on the sending thread', oneThread);
const tuned = await send({ batch: best.batch, concurrency: best.concurrency, pregenerated: false });
line(`--rate 0, batch ${best.batch} × ${best.concurrency} (worker thread)`, tuned);
const mixed = await send({
  batch: best.batch,
  concurrency: best.concurrency,
  pregenerated: false,
  ratios: MIX,
});
line('--rate 0, best, 5% invalid/duplicate/update', mixed);

const results = {
  machine: `${cpus().length} cores shared with the broker (and whatever else runs)`,
  loadAverage: { start: loadStart, end: round(loadavg()[0] ?? 0) },
  messagesPerSendRun: SEND_COUNT,
  generation: { valid: generationValid, mixed: generationMixed },
  sendPregenerated: grid,
  best: { batch: best.batch, concurrency: best.concurrency },
  rate0: { defaults, sameThread: oneThread, tuned, mixed },
  target: 50_000,
  meetsTarget: Math.max(defaults.ordersPerSecond, tuned.ordersPerSecond) >= 50_000,
};
const dir = join(import.meta.dirname, '../../../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'producer.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`wrote ${join(dir, 'producer.json')}\n`);
