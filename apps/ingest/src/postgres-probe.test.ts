import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPostgresProbe } from './postgres-probe.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A ping whose answers the test settles by hand; counts calls and the most at once. */
function manualPing() {
  const pending: ((ok: boolean) => void)[] = [];
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    ping: () => {
      calls++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<boolean>((resolve) => {
        pending.push((ok) => {
          inFlight--;
          resolve(ok);
        });
      });
    },
    answer(ok: boolean) {
      pending.shift()?.(ok);
    },
    get calls() {
      return calls;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('postgres probe', () => {
  it('follows the answers: true, then false, then true again', async () => {
    const p = manualPing();
    const probe = createPostgresProbe({ ping: p.ping, intervalMs: 2_000, timeoutMs: 1_500 });
    probe.start();
    expect(probe.ok()).toBe(false);
    p.answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    p.answer(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    p.answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(true);
    probe.stop();
  });

  it('a hung ping marks not-ok at its deadline, and no second ping starts while it hangs', async () => {
    const p = manualPing();
    const probe = createPostgresProbe({
      ping: p.ping,
      intervalMs: 2_000,
      timeoutMs: 1_500,
      initial: true,
    });
    probe.start();
    await vi.advanceTimersByTimeAsync(1_499);
    expect(probe.ok()).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(probe.ok()).toBe(false);
    // 35 s of a hung PostgreSQL: still the one ping
    await vi.advanceTimersByTimeAsync(35_000);
    expect(p.calls).toBe(1);
    expect(p.maxInFlight).toBe(1);
    // it finally answers (late): that does not count as healthy; the next sample decides
    p.answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(p.calls).toBe(2);
    p.answer(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(true);
    probe.stop();
  });

  it('a rejected ping is a failure', async () => {
    const probe = createPostgresProbe({
      ping: () => Promise.reject(new Error('boom')),
      initial: true,
    });
    probe.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(probe.ok()).toBe(false);
    probe.stop();
  });

  it('stop() ends the sampling', async () => {
    const p = manualPing();
    const probe = createPostgresProbe({ ping: p.ping, intervalMs: 100 });
    probe.start();
    p.answer(true);
    await vi.advanceTimersByTimeAsync(0);
    probe.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(p.calls).toBe(1);
  });
});
