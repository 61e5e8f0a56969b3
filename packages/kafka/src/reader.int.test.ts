// readToHighWatermark against the local broker: plain and transactional topics, both isolation
// levels, and the ends that are markers rather than records.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestTopic, groupName, testSettings } from '../test/helpers.ts';
import { createKafka, withAdmin } from './client.ts';
import { KafkaError } from './errors.ts';
import { readGroupOffsets } from './offsets.ts';
import { createProducer } from './producer.ts';
import { listEndOffsets, readToHighWatermark } from './reader.ts';

async function producer() {
  const p = await createProducer(testSettings());
  onTestFinished(() => p.close());
  return p;
}

/** A transactional producer whose transactions end only when the test says so. */
async function transactional() {
  const p = createKafka(testSettings()).producer({
    transactionalId: `test-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await p.connect();
  onTestFinished(() => p.disconnect());
  return p;
}

describe('readToHighWatermark (real broker)', () => {
  it('an empty topic: nothing, at once', async () => {
    const topic = await createTestTopic({ partitions: 2 });
    const started = Date.now();
    expect(await readToHighWatermark(testSettings(), topic)).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('every record of every partition, in (partition, offset) order, with key, value and headers', async () => {
    const topic = await createTestTopic({ partitions: 3 });
    const p = await producer();
    await p.send(
      topic,
      Array.from({ length: 30 }, (_, i) => ({
        key: `k-${i}`,
        value: i === 7 ? null : `v-${i}`,
        partition: i % 3,
        headers: { n: String(i), bin: Buffer.from([0x41, 0x42]) },
      })),
    );
    const records = await readToHighWatermark(testSettings(), topic);
    expect(records).toHaveLength(30);
    expect(records.map((r) => `${r.partition}/${r.offset}`)).toEqual(
      [0, 1, 2].flatMap((partition) =>
        Array.from({ length: 10 }, (_, offset) => `${partition}/${offset}`),
      ),
    );
    const seven = records.find((r) => r.key?.toString() === 'k-7');
    expect(seven).toMatchObject({ partition: 1, value: null, headers: { n: '7', bin: 'AB' } });
    expect(records.find((r) => r.key?.toString() === 'k-3')?.value?.toString()).toBe('v-3');
  });

  it('its throw-away consumer group is gone afterwards', async () => {
    const topic = await createTestTopic();
    const p = await producer();
    await p.send(topic, [{ value: 'x' }]);
    await readToHighWatermark(testSettings(), topic);
    // other packages' tests read too, at the same time: only a reader group with offsets on this
    // test's topic would be this read's
    const left = await withAdmin(testSettings(), async (a) => {
      const { groups } = await a.listGroups();
      const readers = groups.filter((g) => g.groupId.startsWith('orders-reader-'));
      const offsets = await Promise.all(
        readers.map((g) => a.fetchOffsets({ groupId: g.groupId, topics: [topic] })),
      );
      return readers.filter((_, i) =>
        offsets[i]?.some((t) => t.partitions.some((p) => p.offset !== '-1')),
      );
    });
    expect(left).toEqual([]);
  });

  it('committed and aborted transactions ending in markers: read_committed sees the committed once, read_uncommitted both', async () => {
    const topic = await createTestTopic({ partitions: 2 });
    const source = await createTestTopic();
    const groupId = groupName();
    const kafka = createKafka(testSettings());
    const record = (v: string) => ({ key: v, value: Buffer.from(v), headers: {} });
    // a transactional producer as a source topic's writer may use one: records and offsets
    const txProducer = kafka.producer({
      transactionalId: `test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await txProducer.connect();
    onTestFinished(() => txProducer.disconnect());
    const transact = async (
      sends: ReturnType<typeof record>[][],
      offset: string,
      abort = false,
    ) => {
      const txn = await txProducer.transaction();
      for (const messages of sends) await txn.send({ topic, acks: -1, messages });
      await txn.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: source, partitions: [{ partition: 0, offset }] }],
      });
      await (abort ? txn.abort() : txn.commit());
    };
    await transact([[record('a'), record('b')], [record('c')]], '3');
    await transact([[record('x'), record('y')]], '5', true);
    await transact([[record('d')]], '6');

    const committed = await readToHighWatermark(testSettings(), topic, { timeoutMs: 20_000 });
    expect(committed.map((r) => r.value?.toString()).sort()).toEqual(['a', 'b', 'c', 'd']);
    const all = await readToHighWatermark(testSettings(), topic, {
      isolation: 'read_uncommitted',
      timeoutMs: 20_000,
    });
    expect(all.map((r) => r.value?.toString()).sort()).toEqual(['a', 'b', 'c', 'd', 'x', 'y']);
    // the offsets committed with the letters: the last committed transaction's, not the aborted one's
    const [offsets] = await withAdmin(kafka, (a) => readGroupOffsets(a, groupId, source));
    expect(offsets).toMatchObject({ partition: 0, committed: 6n, high: 0n, lag: 0 });
  });

  it('a transaction still open: read_uncommitted reads it, read_committed stops before it (last stable offset)', async () => {
    const topic = await createTestTopic();
    const p = await producer();
    await p.send(topic, [{ value: 'before' }]);
    const txProducer = await transactional();
    const open = await txProducer.transaction();
    await open.send({ topic, messages: [{ value: 'open' }] });

    const uncommitted = await readToHighWatermark(testSettings(), topic, {
      isolation: 'read_uncommitted',
    });
    expect(uncommitted.map((r) => r.value?.toString())).toEqual(['before', 'open']);
    const [committedEnd] = await listEndOffsets(testSettings(), topic);
    const [uncommittedEnd] = await listEndOffsets(testSettings(), topic, {
      isolation: 'read_uncommitted',
    });
    expect([committedEnd?.end, uncommittedEnd?.end]).toEqual([1n, 2n]);
    const started = Date.now();
    const stable = await readToHighWatermark(testSettings(), topic);
    expect(stable.map((r) => r.value?.toString())).toEqual(['before']);
    expect(Date.now() - started).toBeLessThan(10_000);

    await open.commit();
    // EndTxn answers once the coordinator logged the commit; the marker that moves the partition's
    // last stable offset past 'open' is written after it, so wait for that end (marker at 2 → 3)
    const deadline = Date.now() + 10_000;
    while ((await listEndOffsets(testSettings(), topic))[0]?.end !== 3n) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 50));
    }
    const committed = await readToHighWatermark(testSettings(), topic);
    expect(committed.map((r) => r.value?.toString())).toEqual(['before', 'open']);
  });

  it('a topic the broker does not know: its answer once the timeout has passed', async () => {
    const started = Date.now();
    const err = await readToHighWatermark(testSettings(), `missing-${randomUUID()}`, {
      timeoutMs: 1_500,
    }).catch((e: unknown) => e);
    expect(KafkaError.from(err)).toMatchObject({ staleMetadata: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it('records produced after the call are not part of the read', async () => {
    const topic = await createTestTopic();
    const p = await producer();
    await p.send(topic, [{ value: 'first' }]);
    const reading = readToHighWatermark(testSettings(), topic);
    await p.send(topic, [{ value: 'later' }]);
    const got = (await reading).map((r) => r.value?.toString());
    expect(got[0]).toBe('first');
    expect(got.length).toBeLessThanOrEqual(2);
  });
});
