// The ingest service with the crash hooks the kill tests need: `node test/crash-main.ts` is
// `node src/main.ts` plus, when asked through the environment, a SIGKILL of itself at one of two
// points. The shipped entry point has no hook; the harness and the fault suite start this one
// only when a test sets one of the variables below.
import { type MainHooks, runMain } from '../src/main.ts';

/** SIGKILL right after the N-th batch's COMMIT, before its offsets are resolved. */
export const CRASH_AFTER_DB_COMMIT = 'ORDERS_TEST_CRASH_AFTER_DB_COMMIT';
/** SIGKILL once letters are on the dead-letter topic, before the ledger marks them published. */
export const CRASH_AFTER_DLQ_PUBLISH = 'ORDERS_TEST_CRASH_AFTER_DLQ_PUBLISH';
/** SIGKILL right after the N-th redrive chunk's Kafka commit, before it is marked sent. */
export const CRASH_AFTER_REDRIVE_CHUNK = 'ORDERS_TEST_CRASH_AFTER_REDRIVE_CHUNK';

/** The hooks `env` asks for; a malformed value is an error, never a hook silently off. */
export function readCrashHooks(
  env: Record<string, string | undefined>,
): { ok: true; hooks: MainHooks } | { ok: false; message: string } {
  const hooks: MainHooks = {};
  const kill = () => process.kill(process.pid, 'SIGKILL');
  const after = env[CRASH_AFTER_DB_COMMIT];
  if (after !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(after)) {
      return {
        ok: false,
        message: `${CRASH_AFTER_DB_COMMIT} must be a batch number ≥ 1, got "${after}"`,
      };
    }
    const n = Number(after);
    hooks.afterCommit = (batch) => {
      if (batch >= n) kill();
    };
  }
  const published = env[CRASH_AFTER_DLQ_PUBLISH];
  if (published !== undefined) {
    if (published !== '1') {
      return {
        ok: false,
        message: `${CRASH_AFTER_DLQ_PUBLISH} must be 1 or unset, got "${published}"`,
      };
    }
    hooks.afterDlqPublish = kill;
  }
  const chunk = env[CRASH_AFTER_REDRIVE_CHUNK];
  if (chunk !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(chunk)) {
      return { ok: false, message: `${CRASH_AFTER_REDRIVE_CHUNK} must be a chunk number ≥ 1` };
    }
    let chunks = 0;
    hooks.redrive = {
      afterChunkCommit: () => {
        if (++chunks >= Number(chunk)) kill();
      },
    };
  }
  return { ok: true, hooks };
}

/** Whether `env` asks for a crash hook (then this entry point, not src/main.ts, must run). */
export function wantsCrashHooks(env: Record<string, string | undefined>): boolean {
  return (
    env[CRASH_AFTER_DB_COMMIT] !== undefined ||
    env[CRASH_AFTER_DLQ_PUBLISH] !== undefined ||
    env[CRASH_AFTER_REDRIVE_CHUNK] !== undefined
  );
}

if (import.meta.main) {
  const read = readCrashHooks(process.env);
  if (!read.ok) {
    process.stderr.write(`${read.message}\n`);
    process.exit(1);
  }
  await runMain(read.hooks);
}
