import { describe, expect, it } from 'vitest';
import { type Ack, check, compareServed, type DlqRecord, newestVersions } from './check.ts';

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
