// createTransactionalProducer against the local broker: a send is one committed transaction, a
// second holder of the id fences the first, and a claim ends what a killed holder left open; the
// reader's `from` and `keep`, which a resuming sender uses to learn what it did send.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestTopic, testSettings } from '../test/helpers.ts';
import { createKafka } from './client.ts';
import { KafkaError } from './errors.ts';
import { createProducer } from './producer.ts';
import { listEndOffsets, readToHighWatermark } from './reader.ts';
import { createTransactionalProducer } from './transactional-producer.ts';

function claimed(transactionalId: string) {
  const p = createTransactionalProducer(testSettings(), { transactionalId });
  onTestFinished(() => p.close().catch(() => {}));
  return p;
}

describe('createTransactionalProducer (real broker)', () => {
  it('sends each call as one committed transaction, with its acks', async () => {
    const topic = await createTestTopic({ partitions: 2 });
    const p = claimed(`test-${randomUUID()}`);
    await p.connect();
    const acks = await p.sendInTransaction(topic, [
      { key: 'a', value: 'one', partition: 0, headers: { h: 'x' } },
      { key: 'b', value: 'two', partition: 1 },
      { key: 'c', value: 'three', partition: 1 },
    ]);
    expect(acks.sort((x, y) => x.partition - y.partition)).toEqual([
      { partition: 0, baseOffset: '0' },
      { partition: 1, baseOffset: '0' },
    ]);
    await p.sendInTransaction(topic, [{ key: 'd', value: 'four', partition: 0 }]);
    const read = await readToHighWatermark(testSettings(), topic);
    expect(read.map((r) => [r.partition, r.offset, r.value?.toString()])).toEqual([
      [0, '0', 'one'],
      [0, '2', 'four'], // offset 1 is the first transaction's commit marker
      [1, '0', 'two'],
      [1, '1', 'three'],
    ]);
    expect(read[0]?.headers).toEqual({ h: 'x' });
  });

  it('a second holder of the id fences the first: it can commit nothing more', async () => {
    const topic = await createTestTopic({ partitions: 1 });
    const id = `test-${randomUUID()}`;
    const first = claimed(id);
    await first.connect();
    await first.sendInTransaction(topic, [{ key: 'k', value: 'before' }]);
    const second = claimed(id);
    await second.connect();
    const refused = await first.sendInTransaction(topic, [{ key: 'k', value: 'zombie' }]).then(
      () => undefined,
      (err: unknown) => KafkaError.from(err),
    );
    expect(refused?.producerFenced).toBe(true);
    await second.sendInTransaction(topic, [{ key: 'k', value: 'after' }]);
    const read = await readToHighWatermark(testSettings(), topic);
    expect(read.map((r) => r.value?.toString())).toEqual(['before', 'after']);
  });

  it('a claim aborts the transaction a killed holder left open, at once', async () => {
    const topic = await createTestTopic({ partitions: 1 });
    const id = `test-${randomUUID()}`;
    // a holder that sent and never committed (as a process killed mid-transaction)
    const dead = createKafka(testSettings()).producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await dead.connect();
    onTestFinished(() => dead.disconnect().catch(() => {}));
    const txn = await dead.transaction();
    await txn.send({ topic, acks: -1, messages: [{ key: 'k', value: 'never' }] });
    const [open] = await listEndOffsets(testSettings(), topic);
    expect(open?.end).toBe(0n); // the last stable offset waits at the open transaction

    const started = Date.now();
    const next = claimed(id);
    await next.connect();
    expect(Date.now() - started).toBeLessThan(10_000); // not the 60 s transaction timeout
    const [after] = await listEndOffsets(testSettings(), topic);
    expect(after?.end).toBe(2n); // the record and the abort marker, both stable
    expect(await readToHighWatermark(testSettings(), topic)).toEqual([]);
  });
});

describe('readToHighWatermark from offsets, keeping some records', () => {
  it('reads each partition from its offset and returns only the kept records', async () => {
    const topic = await createTestTopic({ partitions: 3 });
    // idempotent: a retried request is not written twice
    const p = await createProducer(testSettings(), { idempotent: true });
    onTestFinished(() => p.close());
    await p.send(
      topic,
      Array.from({ length: 30 }, (_, i) => ({
        key: `k-${i}`,
        value: `v-${i}`,
        partition: i % 3,
        headers: { even: i % 2 === 0 ? 'yes' : 'no' },
      })),
    );
    const read = await readToHighWatermark(testSettings(), topic, {
      // partition 2 has nothing at or after 10: read nothing of it
      from: new Map([
        [0, 8n],
        [1, 5n],
        [2, 10n],
      ]),
      keep: (r) => r.headers.even === 'yes',
    });
    // partition 0: offsets 8, 9 (i = 24, 27: 24 even); partition 1: 5–9 (i = 16 … 28: even 16, 22, 28)
    expect(read.map((r) => `${r.partition}/${r.offset}/${r.value?.toString()}`)).toEqual([
      '0/8/v-24',
      '1/5/v-16',
      '1/7/v-22',
      '1/9/v-28',
    ]);
  });
});
