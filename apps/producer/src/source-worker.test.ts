import { describe, expect, it } from 'vitest';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { createMessageSource, type MessageSourceOptions } from './messages.ts';
import { createWorkerSource } from './source-worker.ts';

const OPTIONS: MessageSourceOptions = {
  seed: 31,
  baseDate: SEEDED_BASE_DATE,
  ratios: { invalid: 0.3, duplicate: 0.1, update: 0.1 },
  maxBytes: 64 * 1024,
};

const bytes = (value: string | Buffer | null) =>
  value === null ? null : typeof value === 'string' ? Buffer.from(value) : value;

describe('createWorkerSource', () => {
  it('yields the in-thread generator’s messages, as bytes, for any take sizes', async () => {
    const local = createMessageSource(OPTIONS);
    const worker = createWorkerSource(OPTIONS, 100);
    try {
      let total = 0;
      for (const n of [1, 99, 100, 250, 7, 543]) {
        const batch = await worker.take(n);
        expect(batch).toHaveLength(n);
        for (const m of batch) {
          const expected = local.next();
          expect(m.key).toBe(expected.key);
          expect(m.type).toBe(expected.type);
          expect(m.kind).toBe(expected.kind);
          expect(m.value === null ? null : Buffer.from(m.value)).toEqual(bytes(expected.value));
        }
        total += n;
      }
      expect(total).toBe(1000);
    } finally {
      await worker.close();
    }
  });
});
