// Test-only helpers, `@orders/model/testing` (not in the package's main export): the sample order
// (the one copy of fixtures/order-sample.json every package's tests build on) and random inputs for
// the model's fuzz tests (seeded by @orders/testing's seededRandom).
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

/** Random JSON-ish and non-JSON values, some deep, some wide. */
export function garbage(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 6 ? 9 : 13));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor(random() * 2 ** 60) * (random() < 0.5 ? -1 : 1);
    case 3:
      return random() * 1e6;
    case 4:
      return [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, 5e-324][Math.floor(random() * 5)];
    case 5:
      return String.fromCharCode(
        ...Array.from({ length: Math.floor(random() * 20) }, () => Math.floor(random() * 0x10000)),
      );
    case 6:
      return ['', ' ', '\u0000', '\ud800', 'x'.repeat(100_000), '2021-11-26T06:22:19Z'][
        Math.floor(random() * 6)
      ];
    case 7:
      return [undefined, 1n, Symbol('s'), () => 1, new Date(), new Map()][Math.floor(random() * 6)];
    case 8:
      return '__proto__';
    case 9:
    case 10: {
      const out: Record<string, unknown> = {};
      const keys = [
        'order_uid',
        'items',
        'delivery',
        'payment',
        'price',
        '__proto__',
        'constructor',
        'a\u0000',
        '',
        'x',
      ];
      for (let i = Math.floor(random() * 6); i > 0; i--) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        Object.defineProperty(out, key, {
          value: garbage(random, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return out;
    }
    default:
      return Array.from({ length: Math.floor(random() * 5) }, () => garbage(random, depth + 1));
  }
}
