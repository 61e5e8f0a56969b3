import { INVALID_KINDS } from '@orders/producer';
import { describe, expect, it } from 'vitest';
import { type Ack, type DlqRecord, sha256 } from './check.ts';
import type { CorpusMessage } from './corpus.ts';
import {
  judgePoison,
  kafkaPartitionFor,
  keyOnPartition,
  mixedKindCounts,
  type PoisonObservation,
  planPoisonBacklog,
} from './poison.ts';

const small = {
  seed: 7,
  partitions: 3,
  invalid: 2_000,
  tombstones: 400,
  valid: 30,
  maxBytes: 8 * 1024,
  nearBrokerLimit: 64 * 1024,
};
const size = (m: CorpusMessage) => (m.value === null ? 0 : Buffer.byteLength(m.value));

describe('planPoisonBacklog', () => {
  const plan = planPoisonBacklog(small);

  it('has the asked counts: tombstones on one partition, the rest of every kind on every one', () => {
    const invalid = plan.messages.filter((m) => m.type === 'invalid');
    const tombstones = invalid.filter((m) => m.kind === 'tombstone');
    expect(invalid).toHaveLength(2_000);
    expect(tombstones).toHaveLength(400);
    expect(new Set(tombstones.map((m) => m.partition))).toEqual(new Set([plan.tombstonePartition]));
    expect(tombstones.every((m) => m.value === null && m.expectReason === 'empty')).toBe(true);
    const mixed = invalid.filter((m) => m.kind !== 'tombstone');
    const kinds = INVALID_KINDS.filter((k) => k !== 'tombstone');
    expect(new Set(mixed.map((m) => m.kind))).toEqual(new Set(kinds));
    for (const kind of kinds) {
      const on = new Set(mixed.filter((m) => m.kind === kind).map((m) => m.partition));
      expect(on, kind).toEqual(new Set([0, 1, 2]));
    }
    // dealt in turn: as many mixed messages on every partition (± 1)
    const per = [0, 1, 2].map((p) => mixed.filter((m) => m.partition === p).length);
    expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    expect(plan.perPartition.map((p) => p.tombstones)).toEqual(
      [0, 1, 2].map((p) => (p === plan.tombstonePartition ? 400 : 0)),
    );
  });

  it('sends the valid orders last, as many on every partition, each with its canonical bytes', () => {
    const firstValid = plan.messages.findIndex((m) => m.type === 'valid');
    expect(firstValid).toBe(2_000);
    const valid = plan.messages.slice(firstValid);
    expect(valid.every((m) => m.type === 'valid' && typeof m.canonical === 'string')).toBe(true);
    expect(new Set(valid.map((m) => m.key)).size).toBe(30);
    expect([0, 1, 2].map((p) => valid.filter((m) => m.partition === p).length)).toEqual([
      10, 10, 10,
    ]);
  });

  it('puts every key where the default partitioner would (as the DLQ producer will)', () => {
    for (const m of plan.messages) expect(kafkaPartitionFor(m.key, 3)).toBe(m.partition);
    expect(new Set(plan.messages.map((m) => m.key)).size).toBe(plan.messages.length);
    expect(plan.messages.map((m) => m.seq)).toEqual(plan.messages.map((_, i) => i));
  });

  it('keeps the heavy kinds to a small share, oversize above the limits, the rest within', () => {
    expect(plan.kinds.oversize?.count).toBe(16); // 1% of the 1,600 mixed
    expect(plan.kinds['too-many-items']?.count).toBe(16);
    expect(plan.kinds['missing-field']?.count).toBe(83); // (1,600 - 32) / 19, + 1 for the first
    expect(plan.nearLimit).toBe(6);
    for (const m of plan.messages.filter((x) => x.kind === 'oversize')) {
      expect(size(m)).toBeGreaterThan(small.maxBytes);
      expect(m.expectReason).toBe('too_large');
    }
    // two near the broker limit on every partition
    const near = plan.messages.filter((m) => m.kind === 'oversize' && size(m) > 64 * 1024);
    expect([0, 1, 2].map((p) => near.filter((m) => m.partition === p).length)).toEqual([2, 2, 2]);
    for (const m of plan.messages.filter((x) => x.type === 'invalid' && x.kind !== 'oversize')) {
      if (size(m) > small.maxBytes) expect(m.expectReason, m.kind).toBe('too_large');
    }
    expect(plan.bytes).toBe(plan.messages.reduce((s, m) => s + size(m), 0));
  });

  it('is a pure function of the seed', () => {
    expect(planPoisonBacklog(small)).toEqual(plan);
    const other = planPoisonBacklog({ ...small, seed: 8 });
    expect(other.messages.map((m) => m.value)).not.toEqual(plan.messages.map((m) => m.value));
    expect(other.tombstonePartition).toBe(8 % 3);
    // two whole backlogs built: CPU-bound, slow under CI's parallel tasks
  }, 60_000);

  it('the full backlog: 10,000 tombstones on one partition, 20,000 invalid in all', () => {
    const counts = mixedKindCounts(10_000, 3);
    expect([...counts.values()].reduce((s, x) => s + x, 0)).toBe(10_000);
    expect(counts.get('oversize')).toBe(100);
    expect(counts.get('too-many-items')).toBe(100);
    expect(counts.get('missing-field')).toBeGreaterThanOrEqual(515);
    expect(counts.has('tombstone')).toBe(false);
  });
});

describe('keyOnPartition', () => {
  it('keeps the base key when it already lands there, else appends a counter', () => {
    const p = kafkaPartitionFor('abc', 3);
    expect(keyOnPartition('abc', p, 3)).toBe('abc');
    const other = (p + 1) % 3;
    const key = keyOnPartition('abc', other, 3);
    expect(key).toMatch(/^abc\.\d+$/);
    expect(kafkaPartitionFor(key, 3)).toBe(other);
  });
});

// A plan in miniature: two tombstones on partition 0, one bad JSON on partition 1, a valid order
const acks: Ack[] = [
  {
    type: 'invalid',
    key: 't0',
    partition: 0,
    offset: '0',
    kind: 'tombstone',
    expectReason: 'empty',
    valueSha: '',
  },
  {
    type: 'invalid',
    key: 't1',
    partition: 0,
    offset: '1',
    kind: 'tombstone',
    expectReason: 'empty',
    valueSha: '',
  },
  {
    type: 'invalid',
    key: 'b0',
    partition: 1,
    offset: '0',
    kind: 'not-json',
    expectReason: 'not_json',
    valueSha: sha256('x'),
  },
  {
    type: 'valid',
    key: 'u1',
    partition: 1,
    offset: '1',
    canonical: '{"u":1}',
    valueSha: sha256('{"u":1}'),
  },
];
const letter = (
  partition: number,
  offset: string,
  reason: string,
  topic = 'poison',
): DlqRecord => ({
  sourceTopic: topic,
  sourcePartition: partition,
  sourceOffset: offset,
  reason,
  valueSha:
    acks.find((a) => a.partition === partition && a.offset === offset)?.valueSha ?? 'unknown',
  key: `${topic}/${partition}/${offset}`,
});
const threeLetters = () => [
  letter(0, '0', 'empty'),
  letter(0, '1', 'empty'),
  letter(1, '0', 'not_json'),
];
const observed = (over: Partial<PoisonObservation> = {}): PoisonObservation => ({
  topic: 'poison',
  planned: 4,
  acks,
  rows: [{ uid: 'u1', body: '{"u":1}' }],
  letters: threeLetters(),
  ledger: threeLetters().map(({ key: _, ...row }) => row),
  redelivered: 0,
  served: new Map([['u1', { status: 200, body: '{"u":1}' }]]),
  drainMs: 4_000,
  deadlineMs: 120_000,
  lagAtEnd: 0,
  offsets: [
    { partition: 0, committed: '2', high: '2' },
    { partition: 1, committed: '2', high: '2' },
  ],
  tooLargeLogLines: 0,
  dlqRetries: 0,
  ...over,
});

describe('judgePoison', () => {
  it('passes when every source offset has exactly one letter and every order is served', () => {
    const v = judgePoison(observed());
    expect(v.failures).toEqual([]);
    expect(v.check.dlq).toMatchObject({ expected: 3, distinctSourceOffsets: 3, missing: 0 });
    expect(v.check.dlq.perPartition).toEqual({
      0: { expected: 2, observed: 2 },
      1: { expected: 1, observed: 1 },
    });
    expect(v.served).toMatchObject({ compared: 1, missing: 0, mismatched: 0 });
  });

  it('matches by source topic, partition and offset: a letter of another topic explains nothing', () => {
    const v = judgePoison(
      observed({
        letters: [
          letter(0, '0', 'empty'),
          letter(0, '1', 'empty', 'orders'),
          letter(1, '0', 'not_json'),
        ],
      }),
    );
    expect(v.check.dlq).toMatchObject({ missing: 1, unexpected: 1, repeatedCopies: 0 });
    expect(v.failures).toEqual([
      'poison backlog: 1 of 3 invalid messages have no dead letter (missing by source partition: p0 1 of 2; by kind: tombstone 1 of 2)',
      'poison backlog: 1 dead letters match no invalid message sent',
    ]);
  });

  it('takes a second copy of one source offset under its key as a figure, not as found twice', () => {
    const v = judgePoison(
      observed({
        letters: [
          letter(0, '0', 'empty'),
          letter(0, '1', 'empty'),
          letter(0, '1', 'empty'),
          letter(1, '0', 'not_json'),
        ],
      }),
    );
    expect(v.check.dlq).toMatchObject({ distinctSourceOffsets: 3, repeatedCopies: 1, missing: 0 });
    expect(v.check.dlq.perKind.tombstone).toEqual({ expected: 2, observed: 2 });
    expect(v.failures).toEqual([]);
  });

  it('fails a letter keyed otherwise, a second ledger row of one source offset, and redeliveries', () => {
    const [first, ...rest] = threeLetters() as [DlqRecord, ...DlqRecord[]];
    const v = judgePoison(
      observed({
        letters: [{ ...first, key: 't0' }, ...rest],
        ledger: [...observed().ledger, letter(0, '1', 'empty')],
        redelivered: 7,
      }),
    );
    expect(v.check.ledger).toMatchObject({ rows: 4, sourceOffsetsWithCopies: 1, missing: 0 });
    expect(v.failures).toEqual([
      'poison backlog: 1 dead letters are not keyed by their source coordinates',
      'poison backlog: 1 source offsets have more than one ledger row',
      "poison backlog: 7 messages redelivered to the pipeline below PostgreSQL's stored offset",
    ]);
  });

  it('fails a ledger that misses an invalid message or could not be read', () => {
    const v = judgePoison(
      observed({ ledger: observed().ledger.slice(1), ledgerReadError: 'connection refused' }),
    );
    expect(v.failures).toEqual([
      'poison backlog: the dead-letter ledger could not be read: connection refused',
      'poison backlog: 1 of 3 invalid messages have no ledger row',
    ]);
  });

  it('names a stall: lag at the deadline, the offsets, what ingest logged, the missing letters', () => {
    const v = judgePoison(
      observed({
        letters: [],
        ledger: [],
        rows: [],
        served: new Map([['u1', { status: 404, body: '' }]]),
        drainMs: undefined,
        lagAtEnd: 4,
        offsets: [
          { partition: 0, committed: '-1', high: '2' },
          { partition: 1, committed: '-1', high: '2' },
        ],
        tooLargeLogLines: 3,
        dlqRetries: 41,
      }),
    );
    expect(v.failures).toEqual([
      'poison backlog: consumer lag 4, not 0, at the 120 s deadline (committed/end offsets: p0 -1/2, p1 -1/2); ingest logged MESSAGE_TOO_LARGE 3 times and retried dead-letter sends 41 times',
      'poison backlog: 1 of 1 valid orders not served by the API',
      'poison backlog: 1 of 1 valid orders not in PostgreSQL',
      'poison backlog: 3 of 3 invalid messages have no dead letter (missing by source partition: p0 2 of 2, p1 1 of 1; by kind: tombstone 2 of 2, not-json 1 of 1)',
      'poison backlog: 3 of 3 invalid messages have no ledger row',
    ]);
  });

  it('fails on unacknowledged sends, wrong reasons and bytes that differ', () => {
    const v = judgePoison(
      observed({
        planned: 5,
        letters: [letter(0, '0', 'empty'), letter(0, '1', 'not_json'), letter(1, '0', 'not_json')],
        served: new Map([['u1', { status: 200, body: '{"u":2}' }]]),
      }),
    );
    expect(v.failures).toEqual([
      'poison backlog: 4 of 5 backlog messages acknowledged by the broker',
      'poison backlog: 1 valid orders served with other bytes than their canonical form',
      'poison backlog: 1 dead letters give a wrong x-dlq-reason',
    ]);
  });
});
