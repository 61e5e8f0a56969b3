export type RateLimiter = {
  /**
   * Takes `count` tokens and returns how many ms the caller must wait before using them
   * (0 = now). Tokens may go into debt, so a caller that always waits the returned time sends at
   * exactly `rate` per second on average.
   */
  reserve(count: number): number;
};

export type RateLimiterOptions = {
  /** Tokens per second; 0 = unlimited. */
  rate: number;
  /** Tokens that may accumulate while idle (burst size); default rate / 10, at least 1. */
  burst?: number;
  /** Clock in ms; injectable for tests. */
  now?: () => number;
};

/** A token bucket (reservation style, like Go's rate.Limiter.Reserve). */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { rate } = options;
  if (!(rate > 0)) return { reserve: () => 0 };
  const now = options.now ?? (() => performance.now());
  const burst = options.burst ?? Math.max(1, rate / 10);
  const perMs = rate / 1000;
  let tokens = burst;
  let last = now();
  return {
    reserve(count) {
      const t = now();
      tokens = Math.min(burst, tokens + (t - last) * perMs);
      last = t;
      tokens -= count;
      return tokens >= 0 ? 0 : -tokens / perMs;
    },
  };
}

/**
 * Messages per send under a rate limit: small enough that sends are spread over the second
 * (about 50 a second), never more than the configured batch.
 */
export function chunkSize(batch: number, rate: number): number {
  if (!(rate > 0)) return batch;
  return Math.max(1, Math.min(batch, Math.floor(rate / 50)));
}
