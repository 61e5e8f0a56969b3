// Ingest rate from successive /stats polls: the change of a monotonic counter over the time
// between two samples. Pure, so the arithmetic is unit-tested apart from timers.

/**
 * @typedef {{ total: number, at: number }} Sample `at` in milliseconds
 * @typedef {{ push(total: number, at: number): number | null, reset(): void }} RateMeter
 */

/**
 * @returns {RateMeter}
 */
export function createRateMeter() {
  /** @type {Sample | null} */
  let last = null;
  return {
    /** The rate per second since the previous sample; null for the first one or after a restart. */
    push(total, at) {
      const previous = last;
      last = { total, at };
      if (previous === null) return null;
      const seconds = (at - previous.at) / 1000;
      // A counter that went down means the server restarted: start over rather than show a negative.
      if (seconds <= 0 || total < previous.total) return null;
      return (total - previous.total) / seconds;
    },
    /** Forget the previous sample (after a pause, so the next rate is not averaged over the gap). */
    reset() {
      last = null;
    },
  };
}
