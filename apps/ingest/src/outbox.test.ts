import { DLQ_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import type { PublishOutcome } from './dead-letters.ts';
import type { DeadLetter } from './handle-batch.ts';
import type { LedgerLetter } from './ledger-repo.ts';
import { createLogger } from './logger.ts';
import { createOutbox, letterFromLedger } from './outbox.ts';

function row(id: number, partition = 0, extra: Partial<LedgerLetter> = {}): LedgerLetter {
  return {
    id,
    reason: 'invalid_order',
    problems: [{ path: 'items', code: 'too_small', message: 'at least one item' }],
    source: { topic: 'orders', partition, offset: String(100 + id), timestamp: '1700000000000' },
    uid: null,
    key: Buffer.from(`k-${id}`),
    value: Buffer.from(`{"n":${id}}`),
    valueSize: 7,
    valueTruncated: false,
    valueSha256: null,
    headers: [],
    ...extra,
  };
}

function setup(opts: { rows: LedgerLetter[]; failures?: number; owned?: number[] }) {
  const unpublished = new Map(opts.rows.map((r) => [r.id, r]));
  let failures = opts.failures ?? 0;
  const sent: DeadLetter[][] = [];
  const lines: string[] = [];
  const failed = { rounds: 0 };
  const outbox = createOutbox({
    ledger: {
      unpublished: async ({ partitions, limit }) =>
        [...unpublished.values()]
          .filter((r) => partitions?.some((p) => p.partition === r.source.partition) ?? true)
          .slice(0, limit),
      markPublished: async (ids) => {
        for (const id of ids) unpublished.delete(id);
      },
    },
    sink: {
      publish: async (letters): Promise<PublishOutcome> => {
        if (failures > 0) {
          failures--;
          throw new Error('broker down');
        }
        sent.push(letters);
        return { published: letters.length, cut: {}, unpublishable: [] };
      },
    },
    owned: () => (opts.owned ?? [0]).map((partition) => ({ topic: 'orders', partition })),
    logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    batchSize: 2,
    sweepMs: 0,
    backoff: { baseMs: 5, capMs: 10 },
    onFailed: () => failed.rounds++,
  });
  return { outbox, sent, lines, unpublished, failed };
}

describe('outbox', () => {
  it('publishes every letter of the owned partitions, in rounds, and marks them', async () => {
    const t = setup({ rows: [row(1), row(2), row(3), row(4, 1)] });
    t.outbox.wake();
    await t.outbox.idle();
    expect(t.sent.map((round) => round.map((l) => l.source.offset))).toEqual([
      ['101', '102'],
      ['103'],
    ]);
    // partition 1 is another instance's
    expect([...t.unpublished.keys()]).toEqual([4]);
    await t.outbox.stop();
  });

  it('a failing topic is retried with backoff until it takes them, logged once', async () => {
    const t = setup({ rows: [row(1)], failures: 3 });
    t.outbox.wake();
    await t.outbox.idle();
    expect(t.sent).toHaveLength(1);
    expect(t.unpublished.size).toBe(0);
    expect(t.lines.filter((l) => l.includes('"level":"warn"'))).toHaveLength(1);
    expect(t.lines.filter((l) => l.includes('publishing again'))).toHaveLength(1);
    // every failed round told (the last-error metric), not only the first
    expect(t.failed.rounds).toBe(3);
    await t.outbox.stop();
  });

  it('a wake while a round runs is not lost', async () => {
    const t = setup({ rows: [row(1)] });
    t.outbox.wake();
    t.unpublished.set(9, row(9));
    t.outbox.wake();
    await t.outbox.idle();
    expect(t.unpublished.size).toBe(0);
    await t.outbox.stop();
  });
});

describe('letterFromLedger', () => {
  it('keyed by the source coordinates, the source key and headers carried, a ledger cut marked', () => {
    const letter = letterFromLedger(
      row(5, 2, {
        valueTruncated: true,
        valueSize: 9_000,
        valueSha256: 'ab'.repeat(32),
        headers: [
          { name: 'traceparent', value: Buffer.from('t') },
          { name: 'dup', value: Buffer.from('1') },
          { name: 'dup', value: Buffer.from('2') },
        ],
      }),
    );
    expect(letter.key?.toString()).toBe('orders/2/105');
    expect(letter.sourceKey?.toString()).toBe('k-5');
    expect(letter.headers[DLQ_HEADERS.offset]).toBe('105');
    expect(letter.headers[DLQ_HEADERS.reason]).toBe('invalid_order');
    expect(letter.headers[DLQ_HEADERS.valueBytes]).toBe('9000');
    expect(letter.headers[DLQ_HEADERS.valueTruncated]).toBe('true');
    expect(letter.originalHeaders?.traceparent?.toString()).toBe('t');
    expect((letter.originalHeaders?.dup as Buffer[] | undefined)?.map(String)).toEqual(['1', '2']);
  });
});
