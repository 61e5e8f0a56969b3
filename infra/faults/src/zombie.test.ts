import { validateOrder } from '@orders/model';
import { describe, expect, it } from 'vitest';
import type { Ack } from './check.ts';
import { buildCorpus } from './corpus.ts';
import { lastJoin, olderContent, parseTcpTable, recentUids, zombieMessages } from './zombie.ts';

const ack = (key: string, partition: number, offset: number, canonical: string): Ack => ({
  type: 'valid',
  key,
  partition,
  offset: String(offset),
  canonical,
  valueSha: `sha-${key}-${offset}`,
});

describe('recentUids', () => {
  it('takes the newest version of the most recently sent uids of each partition asked', () => {
    const acks = [
      ack('a', 0, 0, 'A1'),
      ack('b', 0, 1, 'B1'),
      ack('a', 0, 2, 'A2'),
      ack('c', 1, 0, 'C1'),
      ack('d', 2, 0, 'D1'),
      { ...ack('x', 0, 3, ''), type: 'invalid' as const, canonical: undefined },
    ];
    expect(recentUids(acks, [0, 1], 5).map((a) => [a.key, a.canonical])).toEqual([
      ['a', 'A2'],
      ['b', 'B1'],
      ['c', 'C1'],
    ]);
    expect(recentUids(acks, [0], 1).map((a) => a.key)).toEqual(['a']);
  });
});

describe('zombieMessages', () => {
  const corpus = buildCorpus({
    valid: 4,
    invalid: 0,
    duplicates: 0,
    updates: 0,
    seed: 3,
    partitions: 3,
    maxBytes: 256 * 1024,
  });
  const previous = corpus.map((m) => ({
    key: m.key,
    partition: m.partition,
    canonical: m.canonical as string,
  }));

  it('revises every order on its own partition, as a valid order with new content', () => {
    const out = zombieMessages({
      previous,
      partitions: [1],
      invalidPerPartition: 3,
      seed: 1,
      tag: 'a',
    });
    const updates = out.filter((m) => m.type === 'update');
    expect(updates.map((m) => [m.key, m.partition])).toEqual(
      previous.map((p) => [p.key, p.partition]),
    );
    for (const [i, m] of updates.entries()) {
      expect(validateOrder(JSON.parse(m.value as string)).ok).toBe(true);
      expect(m.canonical).not.toBe(previous[i]?.canonical);
    }
  });

  it('adds invalid messages with their expected reason on every partition asked, keyed by the burst', () => {
    const out = zombieMessages({
      previous: [],
      partitions: [0, 2],
      invalidPerPartition: 3,
      seed: 1,
      tag: 'b',
    });
    expect(out.map((m) => [m.partition, m.kind, m.expectReason, m.key])).toEqual([
      [0, 'not-json', 'not_json', 'zombie-b-0-0'],
      [0, 'tombstone', 'empty', 'zombie-b-0-1'],
      [0, 'missing-field', 'invalid_order', 'zombie-b-0-2'],
      [2, 'not-json', 'not_json', 'zombie-b-2-0'],
      [2, 'tombstone', 'empty', 'zombie-b-2-1'],
      [2, 'missing-field', 'invalid_order', 'zombie-b-2-2'],
    ]);
    expect(out.every((m) => m.type === 'invalid')).toBe(true);
  });
});

describe('olderContent', () => {
  const acks = [
    ack('a', 0, 0, 'A1'),
    ack('a', 0, 5, 'A2'),
    ack('b', 1, 3, 'B1'),
    ack('b', 1, 9, 'B2'),
  ];

  it('wants the newest version below the stored offset of each uid asked', () => {
    const stored = new Map([
      [0, 6n],
      [1, 9n],
    ]);
    const rows = [
      { uid: 'a', body: 'A2' },
      { uid: 'b', body: 'B1' },
    ];
    // b's offset 9 is not consumed yet: B1 is right
    expect(olderContent(acks, rows, stored, new Set(['a', 'b']))).toEqual([]);
    expect(
      olderContent(
        acks,
        [{ uid: 'a', body: 'A1' }, rows[1] as { uid: string; body: string }],
        stored,
        new Set(['a', 'b']),
      ),
    ).toEqual(['a']);
    expect(olderContent(acks, [], stored, new Set(['b']))).toEqual(['b']);
  });
});

describe('parseTcpTable', () => {
  it('reads each socket’s inode and ports from /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:A3E2 0100007F:6358 01 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 20 4 30 10 -1',
      '   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0',
      '',
    ].join('\n');
    expect(parseTcpTable(text)).toEqual([
      { inode: '123456', localPort: 0xa3e2, remotePort: 25432 },
      { inode: '777', localPort: 8080, remotePort: 0 },
    ]);
  });
});

describe('lastJoin', () => {
  it('finds the last group join from an index on', () => {
    const lines = [
      { msg: 'joined consumer group', time: '2026-01-01T00:00:00.000Z', partitions: [0, 1, 2] },
      { msg: 'other' },
      { msg: 'joined consumer group', time: '2026-01-01T00:00:05.000Z', partitions: [2] },
      { msg: 'other' },
    ];
    expect(lastJoin(lines, 0)).toEqual({
      at: Date.parse('2026-01-01T00:00:05.000Z'),
      partitions: [2],
      index: 2,
    });
    expect(lastJoin(lines, 3)).toBeUndefined();
  });
});
