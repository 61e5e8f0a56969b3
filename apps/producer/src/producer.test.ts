import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { createProducer, type ProducerOptions, runProducer } from './producer.ts';

/** A --dry-run target that counts lines and keeps nothing. */
function countingStream() {
  const counter = { lines: 0 };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const byte of chunk) if (byte === 10) counter.lines++;
      done();
    },
  });
  return { stream, counter };
}

function options(overrides: Partial<ProducerOptions>): ProducerOptions {
  return {
    brokers: ['127.0.0.1:9'],
    topic: 'unused',
    partitions: 1,
    count: 1000,
    rate: 0,
    concurrency: 4,
    batch: 500,
    ratios: { invalid: 0, duplicate: 0, update: 0 },
    seed: 1,
    baseDate: SEEDED_BASE_DATE,
    maxBytes: 512 * 1024,
    ...overrides,
  };
}

describe('runProducer (dry run)', () => {
  it('holds --rate 1000 within 10% end to end (real clock, generous window)', async () => {
    const { stream, counter } = countingStream();
    const outcome = await runProducer(options({ count: 3000, rate: 1000, dryRun: stream }));
    expect(outcome.ok).toBe(true);
    expect(counter.lines).toBe(3000);
    expect(outcome.summary.sent).toBe(3000);
    expect(outcome.summary.ordersPerSecond).toBeGreaterThan(900);
    expect(outcome.summary.ordersPerSecond).toBeLessThan(1100);
  });

  it('stops on request, having written exactly what it counts as sent', async () => {
    const { stream, counter } = countingStream();
    const producer = createProducer(options({ count: 0, rate: 2000, dryRun: stream }));
    const running = producer.run();
    await new Promise((resolve) => setTimeout(resolve, 500));
    producer.stop();
    const outcome = await running;
    expect(outcome.summary.stoppedBy).toBe('stopped');
    expect(outcome.summary.sent).toBeGreaterThan(100);
    expect(counter.lines).toBe(outcome.summary.sent);
  });

  it('stops through an AbortSignal, as ingest demo mode does', async () => {
    const { stream } = countingStream();
    const controller = new AbortController();
    const running = runProducer({
      ...options({ count: 0, rate: 500, dryRun: stream }),
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    const outcome = await running;
    expect(outcome.ok).toBe(true);
    expect(outcome.summary.stoppedBy).toBe('stopped');
  });

  it('ends with an error, not a hang, when Kafka is unreachable', async () => {
    const outcome = await runProducer(options({ brokers: ['127.0.0.1:1'], count: 10 }));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe('unreachable');
    expect(outcome.summary.sent).toBe(0);
  });
});
