import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { SEEDED_BASE_DATE } from './fake-order.ts';
import { createProducer, type ProducerOptions, runProducer } from './producer.ts';
import { chunkSize } from './rate.ts';

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

/**
 * Runs `test` with setTimeout and performance.now faked (the run loop's rate-limit sleeps and its
 * clock), so rates are the loop's arithmetic and not the machine's speed.
 */
async function onFakeClock(test: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  try {
    await test();
  } finally {
    vi.useRealTimers();
  }
}

/**
 * Fires the fake timers one at a time until `until()` holds. Each step first yields a real
 * macrotask, so the run loop's own setImmediate yields go through between sleeps.
 */
async function advanceUntil(until: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !until(); i++) await vi.advanceTimersToNextTimerAsync();
}

describe('runProducer (dry run)', () => {
  it('holds --rate 1000 end to end: the loop sleeps what the limiter asks (fake clock)', () =>
    onFakeClock(async () => {
      const { stream, counter } = countingStream();
      let done = false;
      const running = runProducer(options({ count: 3000, rate: 1000, dryRun: stream })).finally(
        () => {
          done = true;
        },
      );
      await advanceUntil(() => done);
      const outcome = await running;
      expect(outcome.ok).toBe(true);
      expect(counter.lines).toBe(3000);
      expect(outcome.summary.sent).toBe(3000);
      // 3 s of sending at 1,000/s, less the first chunk that goes at once (the burst)
      const chunk = chunkSize(500, 1000);
      expect(outcome.summary.elapsedMs).toBeGreaterThanOrEqual(3000 - chunk);
      expect(outcome.summary.elapsedMs).toBeLessThanOrEqual(3000);
      expect(Math.abs(outcome.summary.ordersPerSecond - 1000)).toBeLessThanOrEqual(10);
    }));

  it('stops on request, having written exactly what it counts as sent', () =>
    onFakeClock(async () => {
      const { stream, counter } = countingStream();
      const producer = createProducer(options({ count: 0, rate: 2000, dryRun: stream }));
      const running = producer.run();
      const started = performance.now();
      await advanceUntil(() => performance.now() - started >= 500);
      producer.stop();
      const outcome = await running;
      expect(outcome.summary.stoppedBy).toBe('stopped');
      // half a second at 2,000/s plus the first burst, give or take the chunk in hand
      const chunk = chunkSize(500, 2000);
      expect(Math.abs(outcome.summary.sent - (1000 + chunk))).toBeLessThanOrEqual(chunk);
      expect(counter.lines).toBe(outcome.summary.sent);
    }));

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
