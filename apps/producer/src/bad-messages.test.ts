import { decodeOrder } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { formatPath, INVALID_KINDS, makeBadMessage, requiredPaths } from './bad-messages.ts';
import { createOrderFaker, SEEDED_BASE_DATE } from './fake-order.ts';

const MAX_BYTES = 512 * 1024;

function bytesOf(value: string | Buffer | null): Uint8Array | null {
  if (value === null) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

describe('makeBadMessage', () => {
  const faker = createOrderFaker({ seed: 99, baseDate: SEEDED_BASE_DATE });

  // Enough variants to cover every alternative of each kind (the longest list is missing-field).
  const variants = Array.from({ length: 60 }, (_, i) => i);

  it.each(INVALID_KINDS)('%s fails decodeOrder for its intended reason and problem', (kind) => {
    for (const variant of variants) {
      const order = faker.order();
      // Large variants too: kinds pick alternatives by `variant % n`.
      const bad = makeBadMessage(kind, order, variant * 0x9e3779b1, { maxBytes: MAX_BYTES });
      const result = decodeOrder(bytesOf(bad.value), { maxBytes: MAX_BYTES });
      expect(result.ok, `${kind} variant ${variant} was accepted`).toBe(false);
      if (result.ok) return;
      expect(result.reason).toBe(bad.expect.reason);
      expect(result.problems).toContainEqual(
        expect.objectContaining({ path: bad.expect.path, code: bad.expect.code }),
      );
      if (bad.expect.reason === 'invalid_order') {
        // The break is the only problem: each kind tests one rule.
        expect(result.problems.map((p) => `${p.path}:${p.code}`)).toEqual([
          `${bad.expect.path}:${bad.expect.code}`,
        ]);
      }
    }
  });

  it('too-many-items over a small maxBytes expects the size refusal the consumer gives', () => {
    const order = faker.order();
    const full = makeBadMessage('too-many-items', order, 0, { maxBytes: MAX_BYTES });
    const size = Buffer.byteLength(full.value as string);
    for (const maxBytes of [size - 1, size]) {
      const bad = makeBadMessage('too-many-items', order, 0, { maxBytes });
      const result = decodeOrder(bytesOf(bad.value), { maxBytes });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toBe(bad.expect.reason);
      expect(result.reason).toBe(maxBytes < size ? 'too_large' : 'invalid_order');
    }
  });

  it('missing-field covers every required field of the order', () => {
    const order = faker.order();
    const expected = requiredPaths(order).map(formatPath);
    const seen = new Set<string>();
    for (let variant = 0; variant < expected.length; variant++) {
      seen.add(
        makeBadMessage('missing-field', order, variant, { maxBytes: MAX_BYTES }).expect.path,
      );
    }
    expect([...seen].sort()).toEqual([...expected].sort());
    expect(expected).toContain('items[0].total_price');
    expect(expected).toContain('payment.transaction');
  });

  it('oversize is just above maxBytes and otherwise a valid order', () => {
    const order = faker.order();
    // Limits above any one order (10 items are ~4 KB), so the padding sets the size exactly.
    for (const maxBytes of [16_384, 100_000, MAX_BYTES]) {
      const bad = makeBadMessage('oversize', order, 0, { maxBytes });
      const size = Buffer.byteLength(bad.value as string);
      expect(size).toBe(maxBytes + 1);
      const withRoom = decodeOrder(bytesOf(bad.value), { maxBytes: size });
      expect(withRoom.ok).toBe(true);
    }
  });
});
