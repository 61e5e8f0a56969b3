// Per-message cost of the model on the ingest hot path, in ns/op (plain node timing).
// Run: pnpm --filter @orders/model bench. Writes bench/results/model.json at the repo root.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  canonicalJson,
  decodeAndEncodeOrder,
  decodeOrder,
  encodeOrder,
  type Order,
  validateOrder,
} from '../src/index.ts';

const repoRoot = join(import.meta.dirname, '../../..');
const sampleText = readFileSync(join(import.meta.dirname, '../fixtures/order-sample.json'), 'utf8');
const MAX_BYTES = 1_048_576;

/** A bigger realistic order: 5 items and a few unknown fields, keys in shuffled order. */
function biggerOrder(): Record<string, unknown> {
  const sample = JSON.parse(sampleText);
  const item = sample.items[0];
  sample.items = Array.from({ length: 5 }, (_, i) => ({
    ...item,
    chrt_id: item.chrt_id + i,
    x_tag: `t${i}`,
  }));
  sample.meta = { source: 'bench', tags: ['a', 'b'], score: 0.25 };
  sample.delivery.floor = 3;
  const shuffled: Record<string, unknown> = {};
  for (const key of Object.keys(sample).reverse()) shuffled[key] = sample[key];
  return shuffled;
}

function mustDecode(bytes: Buffer): Order {
  const result = decodeOrder(bytes, { maxBytes: MAX_BYTES });
  if (!result.ok) throw new Error(`bench input is invalid: ${JSON.stringify(result.problems)}`);
  return result.order;
}

/** Median ns/op over several timed rounds of ~200 ms each, after a warm-up. */
function measure(name: string, fn: () => unknown): number {
  const round = (iterations: number) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  let iterations = 1000;
  while (round(iterations) * iterations < 200e6 && iterations < 1e7) iterations *= 2;
  const rounds = Array.from({ length: 7 }, () => round(iterations)).sort((a, b) => a - b);
  const ns = rounds[3] as number;
  console.log(
    `${name.padEnd(40)} ${ns.toFixed(0).padStart(8)} ns/op ${Math.round(1e9 / ns)
      .toLocaleString('en-US')
      .padStart(12)} ops/s`,
  );
  return Math.round(ns);
}

const sampleBytes = Buffer.from(sampleText);
const compactSampleBytes = Buffer.from(JSON.stringify(JSON.parse(sampleText)));
const biggerBytes = Buffer.from(JSON.stringify(biggerOrder()));
const sampleOrder = mustDecode(sampleBytes);
const biggerOrderValue = mustDecode(biggerBytes);
const invalidBytes = Buffer.from(
  JSON.stringify({ ...JSON.parse(sampleText), items: [], order_uid: 'a/b' }),
);
const parsedSample = JSON.parse(sampleText);

console.log(
  `node ${process.version}; sample ${sampleBytes.length} B, 5-item order ${biggerBytes.length} B`,
);
const results = {
  nsPerOp: {
    sample: {
      decodeAndValidate: measure('sample decodeOrder (parse+validate)', () =>
        decodeOrder(sampleBytes, { maxBytes: MAX_BYTES }),
      ),
      jsonParse: measure('sample JSON.parse only (baseline)', () => JSON.parse(sampleText)),
      validate: measure('sample validateOrder', () => validateOrder(parsedSample)),
      canonicalJson: measure('sample canonicalJson', () => canonicalJson(sampleOrder)),
      canonicalAndEncode: measure('sample encodeOrder (canonical+sha1)', () =>
        encodeOrder(sampleOrder),
      ),
      // ingest's hot path; compact = the message already is the canonical text (bytes reused)
      decodeAndEncode: measure('sample decodeAndEncodeOrder', () =>
        decodeAndEncodeOrder(sampleBytes, { maxBytes: MAX_BYTES }),
      ),
      decodeAndEncodeCompact: measure('sample decodeAndEncodeOrder, compact', () =>
        decodeAndEncodeOrder(compactSampleBytes, { maxBytes: MAX_BYTES }),
      ),
    },
    fiveItems: {
      decodeAndValidate: measure('5 items decodeOrder', () =>
        decodeOrder(biggerBytes, { maxBytes: MAX_BYTES }),
      ),
      canonicalAndEncode: measure('5 items encodeOrder', () => encodeOrder(biggerOrderValue)),
      decodeAndEncode: measure('5 items decodeAndEncodeOrder', () =>
        decodeAndEncodeOrder(biggerBytes, { maxBytes: MAX_BYTES }),
      ),
    },
    invalid: {
      decodeAndValidate: measure('invalid order decodeOrder', () =>
        decodeOrder(invalidBytes, { maxBytes: MAX_BYTES }),
      ),
    },
  },
  node: process.version,
  measuredAt: new Date().toISOString(),
};

const outDir = join(repoRoot, 'bench/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'model.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`wrote ${join(outDir, 'model.json')}`);
