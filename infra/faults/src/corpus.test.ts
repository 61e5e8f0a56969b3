import { describe, expect, it } from 'vitest';
import { buildCorpus, type CorpusMessage, countByKind } from './corpus.ts';

const size = { valid: 300, invalid: 60, duplicates: 20, updates: 10 };

describe('buildCorpus', () => {
  it('has the asked counts, repeats only earlier uids, and one partition per uid', () => {
    const corpus = buildCorpus({ ...size, seed: 7, partitions: 3, maxBytes: 4096 });
    const count = (t: string) => corpus.filter((m) => m.type === t).length;
    expect([count('valid'), count('invalid'), count('duplicate'), count('update')]).toEqual([
      300, 60, 20, 10,
    ]);
    const first = new Map<string, { seq: number; partition: number }>();
    for (const m of corpus) {
      if (m.type === 'invalid') continue;
      const seen = first.get(m.key);
      if (m.type === 'valid') {
        expect(seen).toBeUndefined();
        first.set(m.key, { seq: m.seq, partition: m.partition });
      } else {
        expect(seen?.seq).toBeLessThan(m.seq);
        expect(seen?.partition).toBe(m.partition);
      }
    }
    expect(countByKind(corpus).size).toBeGreaterThanOrEqual(8);
  });

  it('is a pure function of the seed', () => {
    const a = buildCorpus({ ...size, seed: 11, partitions: 3, maxBytes: 4096 });
    const b = buildCorpus({ ...size, seed: 11, partitions: 3, maxBytes: 4096 });
    const c = buildCorpus({ ...size, seed: 12, partitions: 3, maxBytes: 4096 });
    expect(b).toEqual(a);
    expect(c.map((m) => m.key)).not.toEqual(a.map((m) => m.key));
  });

  it('makes duplicates byte-identical to the latest version and updates new content', () => {
    const corpus = buildCorpus({ ...size, seed: 3, partitions: 3, maxBytes: 4096 });
    const latest = new Map<string, string>();
    for (const m of corpus) {
      if (m.type === 'invalid') continue;
      if (m.type === 'duplicate') expect(m.value).toBe(latest.get(m.key));
      if (m.type === 'update') expect(m.value).not.toBe(latest.get(m.key));
      latest.set(m.key, m.value as string);
    }
  });

  it('keeps too-many-items within maxBytes, and expects too_large for whatever is over it', () => {
    // 1,001 copies of one item pass 256 KiB for ~3% of fake orders: seed 142130815's full corpus
    // had 3 such messages expected as invalid_order, and ingest (rightly) said too_large
    const maxBytes = 256 * 1024;
    const corpus = buildCorpus({
      ...size,
      invalid: 1_000,
      seed: 142130815,
      partitions: 3,
      maxBytes,
    });
    const bytes = (m: CorpusMessage) => (m.value === null ? 0 : Buffer.byteLength(m.value));
    const manyItems = corpus.filter((m) => m.kind === 'too-many-items');
    expect(manyItems.length).toBeGreaterThan(40);
    for (const m of manyItems) {
      expect(bytes(m)).toBeLessThanOrEqual(maxBytes);
      expect(m.expectReason).toBe('invalid_order');
    }
    for (const m of corpus.filter((x) => x.type === 'invalid' && bytes(x) > maxBytes)) {
      expect(m.expectReason).toBe('too_large');
    }
  });

  it('expects too_large when no fresh order can make the message fit', () => {
    const corpus = buildCorpus({
      ...size,
      invalid: 220,
      seed: 5,
      partitions: 3,
      maxBytes: 100_000,
    });
    const manyItems = corpus.filter((m) => m.kind === 'too-many-items');
    expect(manyItems.length).toBe(10);
    expect(manyItems.every((m) => m.expectReason === 'too_large')).toBe(true);
  });
});
