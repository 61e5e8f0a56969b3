// The redrive CLI: starts a run through the admin API (or resumes / watches one with --run),
// shows its progress until it is done and prints the final counts. Progress goes to stderr (a bar
// on a terminal, a line every few seconds otherwise), the result to stdout. While watching, the
// API being unreachable (ingest restarting) is waited out for a while: the run lives in ingest,
// not here, so stopping the CLI (Ctrl-C) stops only the watching.
import type { RedriveRun } from '@orders/api';
import {
  type AdminClient,
  type Answer,
  createAdminClient,
  type StartBody,
} from './admin-client.ts';
import { parseRedriveArgs, type RedriveArgs, USAGE } from './redrive-args.ts';
import { handled, progressBar, progressLine, summary } from './redrive-display.ts';

export const EXIT = {
  done: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  unavailable: 4,
  interrupted: 130,
} as const;

export type Output = { write(text: string): unknown; isTTY?: boolean };

export type RedriveIo = {
  env: Record<string, string | undefined>;
  stdout: Output;
  stderr: Output;
  /** aborted: stop watching (the run goes on in ingest) */
  signal?: AbortSignal;
  /** between reads of the run (default 250 ms) */
  pollMs?: number;
  /** between plain progress lines when stderr is not a terminal (default 2 s) */
  lineMs?: number;
  /** how long the API may stay unreachable while watching before giving up (default 120 s) */
  unavailableMs?: number;
};

type Watch = { ok: true; run: RedriveRun } | { ok: false; code: number };

function refusal(io: RedriveIo, answer: Exclude<Answer<unknown>, { ok: true }>): number {
  if (answer.kind === 'refused') {
    io.stderr.write(
      `redrive: the API refused (${answer.status} ${answer.code}): ${answer.message}\n`,
    );
    if (answer.ids && answer.ids.length > 0) {
      io.stderr.write(`redrive: letters ${answer.ids.join(', ')}\n`);
    }
    return EXIT.refused;
  }
  io.stderr.write(`redrive: the API is unavailable: ${answer.message}\n`);
  return EXIT.unavailable;
}

function startBody(args: RedriveArgs): StartBody {
  const body: StartBody = {};
  if (args.ids) body.ids = args.ids;
  else body.filter = { ...args.filter };
  if (args.dryRun) body.dry_run = true;
  if (args.rate !== undefined) body.rate = args.rate;
  if (args.again) body.again = true;
  if (args.includeRedriven) body.include_redriven = true;
  return body;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

async function watch(
  client: AdminClient,
  id: number,
  args: RedriveArgs,
  io: RedriveIo,
): Promise<Watch> {
  const tty = io.stderr.isTTY === true;
  const pollMs = io.pollMs ?? 250;
  const lineMs = io.lineMs ?? 2_000;
  const unavailableMs = io.unavailableMs ?? 120_000;
  let lastAnswerAt = Date.now();
  let lastLineAt = 0;
  let first: { done: number; at: number } | undefined;
  let endedAt: number | undefined;
  let warned = false;
  let drawn = false;
  const clear = () => {
    if (drawn) io.stderr.write('\r\x1b[K');
    drawn = false;
  };
  for (;;) {
    if (io.signal?.aborted) {
      clear();
      io.stderr.write(
        `redrive: stopped watching; run ${id} goes on in ingest: watch or resume it with --run ${id}\n`,
      );
      return { ok: false, code: EXIT.interrupted };
    }
    const answer = await client.getRun(id);
    const now = Date.now();
    if (!answer.ok) {
      if (answer.kind === 'refused') {
        clear();
        return { ok: false, code: refusal(io, answer) };
      }
      if (now - lastAnswerAt > unavailableMs) {
        clear();
        io.stderr.write(`redrive: run ${id} is in ingest; resume or watch it with --run ${id}\n`);
        return { ok: false, code: refusal(io, answer) };
      }
      if (!warned) {
        clear();
        io.stderr.write(`redrive: the API is unavailable (${answer.message}); retrying\n`);
        warned = true;
      }
      await sleep(pollMs, io.signal);
      continue;
    }
    lastAnswerAt = now;
    if (warned) {
      io.stderr.write('redrive: the API answers again\n');
      warned = false;
    }
    const run = answer.body;
    const { done } = handled(run);
    first ??= { done, at: now };
    const seconds = (now - first.at) / 1000;
    const rate = seconds >= 0.5 ? (done - first.done) / seconds : undefined;
    const ended = run.state !== 'running';
    if (ended) endedAt ??= now;
    const settled =
      ended &&
      (run.dry_run || run.outcomes.awaiting === 0 || now - (endedAt ?? now) >= args.outcomeWaitMs);
    if (tty) {
      io.stderr.write(`\r\x1b[K${progressBar(run, rate)}`);
      drawn = true;
    } else if (settled || now - lastLineAt >= lineMs) {
      io.stderr.write(`${progressLine(run, rate)}\n`);
      lastLineAt = now;
    }
    if (settled) {
      clear();
      if (tty) io.stderr.write(`${progressBar(run, rate)}\n`);
      return { ok: true, run };
    }
    await sleep(pollMs, io.signal);
  }
}

/** The CLI: argv without node and the script; resolves to the exit code. */
export async function runRedrive(argv: readonly string[], io: RedriveIo): Promise<number> {
  const parsed = parseRedriveArgs(argv, io.env);
  if (!parsed.ok) {
    for (const error of parsed.errors) io.stderr.write(`redrive: ${error}\n`);
    io.stderr.write('redrive: --help lists the flags\n');
    return EXIT.usage;
  }
  if ('help' in parsed) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.done;
  }
  const { args } = parsed;
  const client = createAdminClient({ url: args.url, token: args.token });
  const startedAt = Date.now();
  let id: number;
  if (args.run !== undefined) {
    const current = await client.getRun(args.run);
    if (!current.ok) return refusal(io, current);
    id = args.run;
    if (current.body.state !== 'done' && !current.body.dry_run) {
      // taken up now by an instance if the one that ran it is gone; a live holder keeps it
      const resumed = await client.resumeRun(id);
      if (!resumed.ok) return refusal(io, resumed);
      io.stderr.write(`redrive: run ${id} resumed\n`);
    } else {
      io.stderr.write(`redrive: run ${id} is ${current.body.dry_run ? 'a dry run' : 'done'}\n`);
    }
  } else {
    const started = await client.startRun(startBody(args));
    if (!started.ok) return refusal(io, started);
    const { run, matched, would_pass } = started.body;
    id = run;
    io.stderr.write(
      `redrive: run ${run}${args.dryRun ? ' (dry run)' : ''}: ${matched} letters matched, ${would_pass} pass now\n`,
    );
  }
  const watched = await watch(client, id, args, io);
  if (!watched.ok) return watched.code;
  const { run } = watched;
  io.stdout.write(args.json ? `${JSON.stringify(run)}\n` : summary(run, Date.now() - startedAt));
  if (run.progress.failed > 0 || run.state === 'cancelled') return EXIT.failed;
  return EXIT.done;
}
