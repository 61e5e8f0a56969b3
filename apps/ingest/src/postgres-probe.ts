// /readyz answers synchronously, so "PostgreSQL answers" is sampled in the background. One ping at
// a time, each with its own deadline: when PostgreSQL hangs, pings must not pile up (each would
// hold a connection until the 35 s query timeout) and the flag must drop within the deadline, not
// when the query finally times out. A ping slower than the deadline counts as a failure even if it
// answers later.

export type PostgresProbe = {
  ok(): boolean;
  /** sample now, then every intervalMs (the timer does not keep the process alive) */
  start(): void;
  stop(): void;
};

export type PostgresProbeOptions = {
  /** one round trip (e.g. `SELECT 1`); false or a rejection is a failure */
  ping(): Promise<boolean>;
  intervalMs?: number;
  timeoutMs?: number;
  /** the starting value (true right after migrations succeeded) */
  initial?: boolean;
};

export function createPostgresProbe(options: PostgresProbeOptions): PostgresProbe {
  const intervalMs = options.intervalMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  let ok = options.initial ?? false;
  let inFlight = false;
  let timer: NodeJS.Timeout | undefined;

  function sample(): void {
    // the previous ping has not settled: it passed its deadline, which already set ok = false
    if (inFlight) return;
    inFlight = true;
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      ok = false;
    }, timeoutMs);
    deadline.unref();
    options
      .ping()
      .catch(() => false)
      .then((answered) => {
        clearTimeout(deadline);
        inFlight = false;
        if (!late) ok = answered;
      });
  }

  return {
    ok: () => ok,
    start() {
      if (timer) return;
      sample();
      timer = setInterval(sample, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
