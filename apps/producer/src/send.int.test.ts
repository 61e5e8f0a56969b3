import { randomUUID } from 'node:crypto';
import { createTestTopic, ensureInfra } from '@orders/infra';
import {
  deleteTopics,
  javaPartition,
  partitionCount,
  readToHighWatermark,
  withAdmin,
} from '@orders/kafka';
import { decodeOrder } from '@orders/model';
import { describe, expect, it, onTestFinished } from 'vitest';
import { INVALID_KINDS, type InvalidKind } from './bad-messages.ts';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { createMessageSource } from './messages.ts';
import { type ProducerOptions, runProducer } from './producer.ts';

const MAX_BYTES = 512 * 1024;

type Received = { key: string | null; value: Buffer | null; partition: number };

/** Every message of `topic`, read back to its end offsets through a throw-away group. */
async function readBack(brokers: string[], topic: string): Promise<Received[]> {
  const records = await readToHighWatermark({ clientId: 'producer-test', brokers }, topic);
  return records.map((r) => ({
    key: r.key?.toString('utf8') ?? null,
    value: r.value,
    partition: r.partition,
  }));
}

function options(
  brokers: string[],
  topic: string,
  overrides: Partial<ProducerOptions>,
): ProducerOptions {
  return {
    brokers,
    topic,
    partitions: 3,
    count: 1000,
    rate: 0,
    concurrency: 4,
    batch: 100,
    ratios: { invalid: 0, duplicate: 0, update: 0 },
    seed: 2024,
    baseDate: SEEDED_BASE_DATE,
    maxBytes: MAX_BYTES,
    ...overrides,
  };
}

describe('runProducer against the local broker', () => {
  it('produces 1,000 orders that read back keyed by order_uid, exactly as generated', async () => {
    const topic = await createTestTopic({ partitions: 3 });
    onTestFinished(() => topic.delete());
    const outcome = await runProducer(options(topic.brokers, topic.topic, {}));
    expect(outcome.ok).toBe(true);
    expect(outcome.summary).toMatchObject({
      sent: 1000,
      errors: 0,
      valid: 1000,
      stoppedBy: 'count',
    });

    const received = await readBack(topic.brokers, topic.topic);
    expect(received).toHaveLength(1000);
    // The same seed gives the same messages: compare the broker's copy with a fresh generation.
    const source = createMessageSource({
      seed: 2024,
      baseDate: SEEDED_BASE_DATE,
      ratios: { invalid: 0, duplicate: 0, update: 0 },
      maxBytes: MAX_BYTES,
    });
    const expected = new Map<string, string>();
    for (let i = 0; i < 1000; i++) {
      const m = source.next();
      expected.set(m.key, m.value as string);
    }
    const partitions = new Set<number>();
    // The partition a Java client (or kafkajs, which ingest uses) would pick for the key.
    for (const r of received) {
      expect(javaPartition(r.key as string, 3)).toBe(r.partition);
      expect(r.key).not.toBeNull();
      expect(r.value?.toString('utf8')).toBe(expected.get(r.key as string));
      const decoded = decodeOrder(r.value, { maxBytes: MAX_BYTES });
      expect(decoded.ok && decoded.order.order_uid).toBe(r.key);
      partitions.add(r.partition);
    }
    expect(new Set(received.map((r) => r.key)).size).toBe(1000);
    // Keyed messages spread over the partitions.
    expect(partitions.size).toBe(3);
  });

  it('delivers every invalid kind, oversize and tombstones included, as built', async () => {
    const topic = await createTestTopic({ partitions: 2 });
    onTestFinished(() => topic.delete());
    const count = INVALID_KINDS.length * 10;
    const outcome = await runProducer(
      options(topic.brokers, topic.topic, {
        count,
        batch: 50,
        ratios: { invalid: 1, duplicate: 0, update: 0 },
        // The other tests generate on a worker thread (the default at --rate 0).
        generateInWorker: false,
      }),
    );
    expect(outcome.ok).toBe(true);
    expect(outcome.summary.sent).toBe(count);
    const received = await readBack(topic.brokers, topic.topic);
    expect(received).toHaveLength(count);
    const kinds = new Set(Object.keys(outcome.summary.invalidByKind) as InvalidKind[]);
    expect(kinds.has('oversize') && kinds.has('tombstone')).toBe(true);
    for (const r of received) {
      expect(decodeOrder(r.value, { maxBytes: MAX_BYTES }).ok).toBe(false);
    }
    expect(received.some((r) => r.value === null)).toBe(true);
    expect(received.some((r) => (r.value?.byteLength ?? 0) > MAX_BYTES)).toBe(true);
  });

  it('counts a message the broker refuses as an error and delivers the rest', async () => {
    const topic = await createTestTopic({ partitions: 2 });
    onTestFinished(() => topic.delete());
    // A consumer limit above the broker's message.max.bytes (1 MiB): oversize cannot get through.
    const outcome = await runProducer(
      options(topic.brokers, topic.topic, {
        count: 60,
        batch: 20,
        maxBytes: 1200 * 1024,
        invalidKinds: ['oversize'],
        ratios: { invalid: 0.2, duplicate: 0, update: 0 },
      }),
    );
    expect(outcome.ok).toBe(true);
    const oversize = outcome.summary.invalidByKind.oversize ?? 0;
    expect(oversize).toBe(0);
    expect(outcome.summary.errors).toBeGreaterThan(0);
    expect(outcome.summary.sent + outcome.summary.errors).toBe(60);
    expect(outcome.summary.valid).toBe(outcome.summary.sent);
    const received = await readBack(topic.brokers, topic.topic);
    expect(received).toHaveLength(outcome.summary.sent);
  });

  it('creates a missing topic with the configured partitions', async () => {
    const { brokers } = await ensureInfra();
    const name = `test-${randomUUID()}`;
    const settings = { clientId: 'producer-test', brokers };
    onTestFinished(() =>
      withAdmin(settings, (admin) => deleteTopics(admin, [name])).catch(() => {}),
    );
    const outcome = await runProducer(options(brokers, name, { count: 10, partitions: 4 }));
    expect(outcome.ok).toBe(true);
    expect(await withAdmin(settings, (admin) => partitionCount(admin, name))).toBe(4);
    // A second run finds it there and just sends.
    const again = await runProducer(options(brokers, name, { count: 10, partitions: 4 }));
    expect(again.ok && again.summary.sent).toBe(10);
  });
});
