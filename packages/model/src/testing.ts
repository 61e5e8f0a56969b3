// Test-only helpers (not exported from index.ts): the sample order and a seeded random source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const sampleText = readFileSync(join(import.meta.dirname, '../fixtures/order-sample.json'), 'utf8');

/** A fresh, mutable copy of fixtures/order-sample.json. */
// biome-ignore lint/suspicious/noExplicitAny: tests mutate the sample freely, as untyped JSON
export function sampleOrder(): any {
  return JSON.parse(sampleText);
}

export function sampleJson(): string {
  return sampleText;
}

export function sampleBytes(): Buffer {
  return Buffer.from(sampleText, 'utf8');
}

/** mulberry32: deterministic, so a failing fuzz case reproduces from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same value with every object's keys in a random order (arrays keep their order). */
export function shuffleKeys<T>(value: T, random: () => number): T {
  if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, random)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = shuffleKeys((value as Record<string, unknown>)[key], random);
  return out as T;
}
