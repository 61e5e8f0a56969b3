import { describe, expect, it } from 'vitest';
import { type Ack, check, compareServed, type DlqRecord, newestVersions, sha256 } from './check.ts';

const valid = (key: string, offset: number, canonical: string, partition = 0): Ack => ({
  type: 'valid',
  key,
  partition,
  offset: String(offset),
  canonical,
  valueSha: `sha-${key}-${offset}`,
});
const invalid = (offset: number, kind: string, reason: string): Ack => ({
  type: 'invalid',
  key: `bad-${offset}`,
  partition: 1,
  offset: String(offset),
  kind,
  expectReason: reason,
  valueSha: `bad-sha-${offset}`,
});
const letter = (offset: number, reason: string, valueSha = `bad-sha-${offset}`): DlqRecord => ({
  sourcePartition: 1,
  sourceOffset: String(offset),
  reason,
  valueSha,
});

const acks: Ack[] = [
  valid('a', 0, 'A1'),
  valid('b', 1, 'B1'),
  { ...valid('a', 2, 'A2'), type: 'update' },
  { ...valid('b', 3, 'B1'), type: 'duplicate' },
  invalid(0, 'not-json', 'not_json'),
  invalid(1, 'empty', 'empty'),
];

describe('check', () => {
  it('passes when every acked uid is stored once with its newest version and the DLQ matches', () => {
    const result = check({
      acks,
      rows: [
        { uid: 'a', body: 'A2' },
        { uid: 'b', body: 'B1' },
      ],
      dlq: [letter(0, 'not_json'), letter(1, 'empty')],
    });
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ ackedValidUids: 2, stored: 2, lost: 0, unexpected: 0 });
    expect(result.dlq.perKind).toEqual({
      'not-json': { expected: 1, observed: 1 },
      empty: { expected: 1, observed: 1 },
    });
  });

  it('counts lost, unexpected, duplicated and stale rows', () => {
    const result = check({
      acks,
      rows: [
        { uid: 'a', body: 'A1' },
        { uid: 'x', body: 'X' },
        { uid: 'x', body: 'X' },
      ],
      dlq: [letter(0, 'not_json'), letter(1, 'empty')],
    });
    expect(result).toMatchObject({ lost: 1, unexpected: 1, duplicateRows: 1, staleContent: 1 });
    expect(result.failures).toHaveLength(5);
  });

  it('finds missing, repeated, unexplained and mislabelled dead letters', () => {
    const result = check({
      acks,
      rows: [
        { uid: 'a', body: 'A2' },
        { uid: 'b', body: 'B1' },
      ],
      dlq: [
        letter(0, 'empty'),
        letter(0, 'empty'),
        letter(7, 'not_json', 'other'),
        letter(8, 'x', 'retried'),
      ],
      unackedInvalidShas: new Set(['retried']),
    });
    expect(result.dlq).toMatchObject({
      missing: 1,
      repeatedCopies: 1,
      unexpected: 1,
      fromUnackedSends: 1,
      reasonMismatch: 1,
      distinctSourceOffsets: 1,
    });
    expect(result.dlq.perKind.empty).toEqual({ expected: 1, observed: 0 });
  });
});

const keyed = (offset: number, reason: string, copies = 1): DlqRecord[] =>
  Array.from({ length: copies }, () => ({
    ...letter(offset, reason),
    sourceTopic: 'orders',
    key: `orders/1/${offset}`,
    sourceKey: `bad-${offset}`,
  }));
const stored = [
  { uid: 'a', body: 'A2' },
  { uid: 'b', body: 'B1' },
];

describe('check: the topic at least once, the ledger exactly once', () => {
  it('takes copies of one source offset under its coordinates key as a figure, not a failure', () => {
    const dlq = [...keyed(0, 'not_json', 3), ...keyed(1, 'empty')];
    const result = check({
      acks,
      rows: stored,
      dlq,
      ledger: keyed(0, 'not_json').concat(keyed(1, 'empty')),
      topic: 'orders',
    });
    expect(result.failures).toEqual([]);
    expect(result.dlq).toMatchObject({
      records: 4,
      distinctSourceOffsets: 2,
      repeatedCopies: 2,
      sourceOffsetsWithCopies: 1,
      maxCopies: 3,
      keyMismatch: 0,
    });
    expect(result.ledger).toMatchObject({ rows: 2, distinctSourceOffsets: 2, repeatedCopies: 0 });
  });

  it('fails a copy keyed otherwise, or carrying another value or source key', () => {
    const [first] = keyed(0, 'not_json') as [DlqRecord];
    const dlq = [
      { ...first, key: 'bad-0' },
      { ...first, valueSha: 'other' },
      { ...first, sourceKey: 'someone-else' },
      ...keyed(1, 'empty'),
    ];
    const result = check({ acks, rows: stored, dlq, topic: 'orders' });
    expect(result.dlq).toMatchObject({ keyMismatch: 1, contentMismatch: 2, missing: 0 });
    expect(result.failures).toEqual([
      '1 dead letters not keyed by their source coordinates',
      '2 dead letters with another value or source key',
    ]);
    expect(result.ledger).toBeUndefined();
  });

  it('fails a ledger with two rows for one source offset, a missing one, or an unexplained one', () => {
    const ledger = [
      ...keyed(0, 'not_json', 2),
      { ...keyed(9, 'empty')[0], valueSha: 'x' } as DlqRecord,
    ];
    const dlq = [...keyed(0, 'not_json'), ...keyed(1, 'empty')];
    const result = check({ acks, rows: stored, dlq, ledger, topic: 'orders' });
    expect(result.ledger).toMatchObject({
      rows: 3,
      missing: 1,
      sourceOffsetsWithCopies: 1,
      repeatedCopies: 1,
      unexpected: 1,
    });
    expect(result.failures).toEqual([
      '1 invalid messages without a ledger row',
      '1 source offsets with more than one ledger row (1 extra)',
      '1 unexplained ledger rows',
    ]);
  });

  it('takes an empty value and a tombstone as the same content', () => {
    const empty = { ...invalid(1, 'empty', 'empty'), valueSha: sha256('') };
    const result = check({
      acks: [empty],
      rows: [],
      dlq: [{ ...letter(1, 'empty'), valueSha: '' }],
      ledger: [{ ...letter(1, 'empty'), valueSha: sha256('') }],
    });
    expect(result.failures).toEqual([]);
  });
});

describe('check with the source topic', () => {
  it('takes a letter naming another source topic as unexplained, and counts per partition', () => {
    const result = check({
      acks,
      rows: [
        { uid: 'a', body: 'A2' },
        { uid: 'b', body: 'B1' },
      ],
      dlq: [
        { ...letter(0, 'not_json'), sourceTopic: 'orders' },
        { ...letter(1, 'empty'), sourceTopic: 'elsewhere' },
      ],
      topic: 'orders',
    });
    expect(result.dlq).toMatchObject({ missing: 1, unexpected: 1, distinctSourceOffsets: 1 });
    expect(result.dlq.perPartition).toEqual({ 1: { expected: 2, observed: 1 } });
  });
});

describe('newestVersions', () => {
  it('takes the highest acked offset per uid, whatever the arrival order', () => {
    const newest = newestVersions([valid('a', 9, 'late'), valid('a', 4, 'early')]);
    expect(newest.get('a')?.canonical).toBe('late');
  });
});

describe('compareServed', () => {
  it('reports missing and differing bodies', () => {
    const served = new Map([
      ['a', { status: 200, body: 'A' }],
      ['b', { status: 200, body: 'not B' }],
    ]);
    const rows = [
      { uid: 'a', body: 'A' },
      { uid: 'b', body: 'B' },
      { uid: 'c', body: 'C' },
    ];
    expect(compareServed(rows, served)).toMatchObject({ compared: 3, mismatched: 1, missing: 1 });
  });
});
