import { decodeOrder, validateOrder } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { INVALID_KINDS } from './bad-messages.ts';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { createMessageSource, type OutgoingMessage } from './messages.ts';

const MAX_BYTES = 512 * 1024;

function take(n: number, ratios: { invalid: number; duplicate: number; update: number }, seed = 5) {
  const source = createMessageSource({
    seed,
    baseDate: SEEDED_BASE_DATE,
    ratios,
    maxBytes: MAX_BYTES,
  });
  return Array.from({ length: n }, () => source.next());
}

const bytes = (m: OutgoingMessage) =>
  m.value === null ? null : typeof m.value === 'string' ? Buffer.from(m.value) : m.value;

describe('createMessageSource', () => {
  const messages = take(20_000, { invalid: 0.1, duplicate: 0.1, update: 0.1 });

  it('re-sends earlier orders byte for byte as duplicates', () => {
    const sent = new Map<string, Set<string>>();
    let duplicates = 0;
    for (const m of messages) {
      if (m.type === 'duplicate') {
        duplicates++;
        // The same key and exactly the same text as a message sent before.
        expect(sent.get(m.key)?.has(m.value as string)).toBe(true);
      }
      if (m.type === 'valid' || m.type === 'update') {
        const values = sent.get(m.key) ?? new Set<string>();
        values.add(m.value as string);
        sent.set(m.key, values);
      }
    }
    expect(duplicates).toBeGreaterThan(1500);
  });

  it('re-sends earlier order_uids with new, valid content as updates', () => {
    const seen = new Map<string, string>();
    let updates = 0;
    for (const m of messages) {
      if (m.type === 'update') {
        updates++;
        const before = seen.get(m.key);
        expect(before).toBeDefined();
        expect(m.value).not.toBe(before);
        const parsed = JSON.parse(m.value as string);
        expect(parsed.order_uid).toBe(m.key);
        expect(validateOrder(parsed).ok).toBe(true);
      }
      if (m.type === 'valid' || m.type === 'update') seen.set(m.key, m.value as string);
    }
    expect(updates).toBeGreaterThan(1500);
  });

  it('keys every message by its order_uid; valid ones decode, invalid ones do not', () => {
    const kinds = new Set<string>();
    for (const m of messages) {
      const result = decodeOrder(bytes(m), { maxBytes: MAX_BYTES });
      if (m.type === 'invalid') {
        expect(result.ok, m.kind).toBe(false);
        kinds.add(m.kind as string);
      } else {
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.order.order_uid).toBe(m.key);
      }
    }
    expect([...kinds].sort()).toEqual([...INVALID_KINDS].sort());
  });

  it('is reproducible for a seed', () => {
    const a = take(3000, { invalid: 0.2, duplicate: 0.2, update: 0.2 }, 77);
    const b = take(3000, { invalid: 0.2, duplicate: 0.2, update: 0.2 }, 77);
    expect(b).toEqual(a);
  });
});
