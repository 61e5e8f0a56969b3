// The corpus of one run, built up front from the seed (pure): valid orders, invalid messages of
// every kind the producer package knows, exact duplicates and updates (new content for an earlier
// order_uid). Every message carries its explicit partition, so all versions of a uid share one
// partition and the ack log knows each message's offset without guessing the partitioner.
import { createHash } from 'node:crypto';
import { decodeOrder, encodeOrder } from '@orders/model';
import {
  createOrderFaker,
  type FakeOrder,
  INVALID_KINDS,
  type InvalidKind,
  makeBadMessage,
} from '@orders/producer';
import { createRandom } from './random.ts';

export type MessageType = 'valid' | 'invalid' | 'duplicate' | 'update';

export type CorpusMessage = {
  seq: number;
  type: MessageType;
  key: string;
  /** string → UTF-8, Buffer → raw bytes, null → tombstone */
  value: string | Buffer | null;
  partition: number;
  /** invalid only: the producer's kind and the reject reason decodeOrder must give */
  kind?: InvalidKind;
  expectReason?: string;
  /** valid/duplicate/update only: the canonical bytes the service must store and serve */
  canonical?: string;
};

export type CorpusSize = { valid: number; invalid: number; duplicates: number; updates: number };

export type CorpusOptions = CorpusSize & {
  seed: number;
  partitions: number;
  /** the consumer's KAFKA_MAX_BYTES (oversize messages go just above it) */
  maxBytes: number;
};

/** The date window's end is fixed so a seed always yields the same orders. */
export const BASE_DATE = Date.UTC(2026, 0, 1);

export function partitionFor(key: string, partitions: number): number {
  return createHash('sha1').update(key).digest().readUInt32BE(0) % partitions;
}

export function canonicalOf(value: string): string {
  const decoded = decodeOrder(Buffer.from(value, 'utf8'), { maxBytes: 16 * 1024 * 1024 });
  if (!decoded.ok) throw new Error(`corpus: a valid order failed validation (${decoded.reason})`);
  return encodeOrder(decoded.order).body.toString('utf8');
}

export function buildCorpus(o: CorpusOptions): CorpusMessage[] {
  const rnd = createRandom(o.seed);
  const faker = createOrderFaker({ seed: o.seed, baseDate: BASE_DATE });
  const left = { valid: o.valid, invalid: o.invalid, duplicate: o.duplicates, update: o.updates };
  // the latest version sent of each uid: duplicates repeat it byte for byte, updates revise it
  const latest = new Map<string, { order: FakeOrder; value: string }>();
  const uids: string[] = [];
  const kindCount = new Map<InvalidKind, number>();
  const out: CorpusMessage[] = [];

  const push = (m: Omit<CorpusMessage, 'seq' | 'partition'>) =>
    out.push({ ...m, seq: out.length, partition: partitionFor(m.key, o.partitions) });

  for (;;) {
    const canRepeat = uids.length > 0;
    const weights: [MessageType, number][] = [
      ['valid', left.valid],
      ['invalid', left.invalid],
      ['duplicate', canRepeat ? left.duplicate : 0],
      ['update', canRepeat ? left.update : 0],
    ];
    const total = weights.reduce((s, [, w]) => s + w, 0);
    if (total === 0) break;
    let pick = rnd.next() * total;
    let type: MessageType = 'valid';
    for (const [t, w] of weights) {
      if (pick < w) {
        type = t;
        break;
      }
      pick -= w;
    }
    if (type === 'valid') {
      left.valid--;
      const order = faker.order();
      const value = JSON.stringify(order);
      latest.set(order.order_uid, { order, value });
      uids.push(order.order_uid);
      push({ type, key: order.order_uid, value, canonical: canonicalOf(value) });
    } else if (type === 'invalid') {
      left.invalid--;
      // round-robin over every kind; the per-kind counter picks among each kind's variants
      const kind = INVALID_KINDS[
        (o.invalid - left.invalid - 1) % INVALID_KINDS.length
      ] as InvalidKind;
      const n = kindCount.get(kind) ?? 0;
      kindCount.set(kind, n + 1);
      const bad = makeFittingBadMessage(kind, () => faker.order(), n + rnd.int(0, 1) * 7919, o);
      push({
        type,
        key: `bad-${out.length}`,
        value: bad.value,
        kind,
        expectReason: bad.expectReason,
      });
    } else {
      const uid = uids[rnd.int(0, uids.length - 1)] as string;
      const prev = latest.get(uid) as { order: FakeOrder; value: string };
      if (type === 'duplicate') {
        left.duplicate--;
        push({ type, key: uid, value: prev.value, canonical: canonicalOf(prev.value) });
      } else {
        left.update--;
        const order = faker.revise(prev.order);
        const value = JSON.stringify(order);
        latest.set(uid, { order, value });
        push({ type, key: uid, value, canonical: canonicalOf(value) });
      }
    }
  }
  return out;
}

/**
 * A bad message of `kind` that stays within maxBytes unless it is meant to be too large
 * (`oversize`): 1,001 copies of a long item pass 256 KiB, and decodeOrder checks size before
 * anything else, so such a message would test the size limit instead of its kind's rule. A few
 * fresh orders are tried; if none fits, the message is kept and expected as too_large.
 */
export function makeFittingBadMessage(
  kind: InvalidKind,
  nextOrder: () => FakeOrder,
  variant: number,
  o: { maxBytes: number },
): { value: string | Buffer | null; expectReason: string } {
  let bad = makeBadMessage(kind, nextOrder(), variant, { maxBytes: o.maxBytes });
  for (let attempt = 0; ; attempt++) {
    const bytes = bad.value === null ? 0 : Buffer.byteLength(bad.value);
    if (bytes <= o.maxBytes || kind === 'oversize') {
      return { value: bad.value, expectReason: bad.expect.reason };
    }
    if (attempt === 10) return { value: bad.value, expectReason: 'too_large' };
    bad = makeBadMessage(kind, nextOrder(), variant, { maxBytes: o.maxBytes });
  }
}

export function countByKind(messages: CorpusMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) if (m.kind) counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  return counts;
}
