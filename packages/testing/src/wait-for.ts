/**
 * Polls `check` every `intervalMs` (default 100) until it returns something other than `undefined`
 * or `false`, and resolves with that; rejects after `timeoutMs` naming `what`. An error thrown by
 * `check` rejects at once (a check that knows the wait is hopeless, e.g. its process exited, says
 * so by throwing).
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  opts: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 100));
  }
}
