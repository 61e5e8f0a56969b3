// Backlogs that are mostly invalid, against the real broker's limits: every invalid
// message becomes a letter exactly once, and no partition stops, its own or another.

import { DLQ_HEADERS } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { bytes, makeOrder } from './fixtures.ts';
import {
  committedOffsets,
  createTopic,
  type DlqEntry,
  type Outgoing,
  produce,
  readDeadLetters,
  useTestEnv,
  waitFor,
} from './harness.ts';

const t = useTestEnv();

/** An order without its track_number (~830 bytes): invalid_order. */
function missingField(i: number): Buffer {
  const o = makeOrder(`poison-${i}`);
  delete o.track_number;
  return bytes(o);
}

/** Each source offset of `partition` in [0, count) exactly once among the letters. */
function expectEachOffsetOnce(letters: DlqEntry[], partition: number, count: number): void {
  const offsets = letters
    .filter((l) => l.headers[DLQ_HEADERS.partition] === String(partition))
    .map((l) => Number(l.headers[DLQ_HEADERS.offset]));
  expect(offsets).toHaveLength(count);
  expect(new Set(offsets).size).toBe(count);
  expect(Math.min(...offsets)).toBe(0);
  expect(Math.max(...offsets)).toBe(count - 1);
}

async function served(url: string, uid: string): Promise<boolean> {
  return (await fetch(`${url}/orders/${uid}`)).status === 200;
}

describe('a mostly-invalid backlog', () => {
  it('3,000 invalid orders on one partition: all letters once, the other partition not held up', async () => {
    const env = await t.setup({ partitions: 2 });
    const poison: Outgoing[] = Array.from({ length: 3_000 }, (_, i) => ({
      key: 'same-key',
      value: missingField(i),
      partition: 0,
    }));
    await produce(env.brokers, env.topic, [
      ...poison,
      { key: 'behind', value: bytes(makeOrder('behind-poison')), partition: 0 },
    ]);
    const svc = await t.start();
    // a clean partition, produced while the poison is being worked through
    await produce(env.brokers, env.topic, [
      { key: 'clean', value: bytes(makeOrder('clean-1')), partition: 1 },
    ]);
    await waitFor(() => served(svc.url, 'clean-1'), 15_000, 'clean partition order served');
    await waitFor(() => served(svc.url, 'behind-poison'), 30_000, 'order behind the poison');

    const letters = await readDeadLetters(env);
    expectEachOffsetOnce(letters, 0, 3_000);
    expect(letters.every((l) => l.headers[DLQ_HEADERS.reason] === 'invalid_order')).toBe(true);
    // nothing had to be cut: the sends were split instead
    expect(letters.some((l) => l.headers[DLQ_HEADERS.valueTruncated])).toBe(false);
    await waitFor(
      async () => (await committedOffsets(env.brokers, env.groupId, env.topic)).get(0) === 3_001,
      10_000,
      'partition 0 committed past the poison',
    );
    expect(svc.ingest.isReady()).toBe(true);
  });

  it('10,000 tombstones on one partition: 10,000 letters, the order behind them served', async () => {
    const env = await t.setup({ partitions: 1 });
    const tombstones: Outgoing[] = Array.from({ length: 10_000 }, (_, i) => ({
      key: `t-${i % 7}`,
      value: null,
    }));
    await produce(env.brokers, env.topic, [
      ...tombstones,
      { key: 'after', value: bytes(makeOrder('after-tombstones')) },
    ]);
    const svc = await t.start();
    await waitFor(() => served(svc.url, 'after-tombstones'), 30_000, 'order behind tombstones');
    const letters = await readDeadLetters(env);
    expectEachOffsetOnce(letters, 0, 10_000);
    expect(letters.every((l) => l.value === null)).toBe(true);
  });

  it('a DLQ topic made elsewhere with the broker default (1 MiB): an oversize letter is cut to fit', async () => {
    // the source topic takes 2 MiB records; the DLQ topic only the broker's default
    const env = await t.setup({ partitions: 1, topicConfig: { 'max.message.bytes': '2097152' } });
    await createTopic(env.brokers, env.dlqTopic, { partitions: 1 });
    const huge = Buffer.alloc(1_048_504, 'x');
    await produce(env.brokers, env.topic, [
      {
        key: 'huge',
        value: huge,
        headers: { traceparent: '00-0af7651916cd43dd-b7ad6b7169203331-01' },
      },
      { key: 'after', value: bytes(makeOrder('after-huge')) },
    ]);
    const svc = await t.start({ KAFKA_MAX_BYTES: '2MiB' });
    await waitFor(() => served(svc.url, 'after-huge'), 30_000, 'order behind the huge one');
    const [letter] = await readDeadLetters(env);
    expect(letter?.headers[DLQ_HEADERS.reason]).toBe('not_json');
    expect(letter?.headers[DLQ_HEADERS.valueTruncated]).toBe('true');
    expect(letter?.headers[DLQ_HEADERS.valueBytes]).toBe('1048504');
    expect(letter?.headers[DLQ_HEADERS.valueSha256]).toMatch(/^[0-9a-f]{64}$/);
    expect(letter?.value?.length).toBeLessThan(1_048_504);
    expect(letter?.value?.equals(huge.subarray(0, letter.value.length))).toBe(true);
    // the original headers travel with the letter, under the prefix
    expect(letter?.headers['x-dlq-original-traceparent']).toBe(
      '00-0af7651916cd43dd-b7ad6b7169203331-01',
    );
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/orders_dead_letters_cut_total\{gave_way="value"\} 1/);
  });
});
