// pnpm --filter @orders/ingest bench (after ingest.bench.ts) — a redrive end to end, then one
// killed and resumed, against the local Kafka + PostgreSQL with ingest as a child process.
//  1. ingest runs with KAFKA_MAX_BYTES=1024: 2 × 10,000 realistic orders over 1 KiB are all
//     dead-lettered too_large (the first 10,000, then the second, split by a stored_at instant);
//  2. ingest restarts with the default limit (512 KiB): the "fix" is the operator raising it, so
//     every letter passes now, unchanged;
//  3. redrive of the first 10,000 at rate 20,000: end-to-end letters/s, from the POST until every
//     letter is sent AND stored again (rows in PostgreSQL, the run's outcomes), vs 5,000/s;
//  4. redrive of the second 10,000; ingest killed -9 part-way, restarted, the run resumed with the
//     CLI (--run); on the orders topic (read_committed, x-redrive-letter): sent twice must be 0,
//     skipped (neither on the topic nor skipped with a reason) must be 0.
// Writes bench/results/redrive.json at the repository root.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { RedriveRun } from '@orders/api';
import { type Child, createTestEnv, sql, startChild, waitFor } from '../test/harness.ts';
import {
  adminApi,
  count,
  oversizedOrders,
  produceAll,
  redrivenOnTopic,
  served,
} from './redrive-helpers.ts';

const LETTERS = Number(process.env.BENCH_REDRIVE_LETTERS ?? 10_000);
const RATE = 20_000;
const TOO_LOW = 1024;
const KILL_DELAY_MS = Number(process.env.BENCH_KILL_DELAY_MS ?? 150);
const PARTITIONS = 3;
// BENCH_CPU_PROF=<dir>: the ingest of run 1 writes a CPU profile there (stopped with SIGTERM after
// run 1, a fresh one runs step 4)
const CPU_PROF = process.env.BENCH_CPU_PROF;
const root = join(import.meta.dirname, '../../..');
const cli = join(import.meta.dirname, '../src/cli/redrive-main.ts');
const log = (line: string) => process.stderr.write(`[bench:redrive] ${line}\n`);

const env = await createTestEnv({ partitions: PARTITIONS });
const token = randomBytes(24).toString('base64url');
let child: Child | undefined;
const start = async (overrides: Record<string, string> = {}) => {
  const vars = await env.env({
    ADMIN_TOKENS: `bench=${token}`,
    MEMORY_RESTORE_DATA: '0',
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  child = await startChild(vars);
  return child;
};
const url = () => child?.url ?? '';
const admin = adminApi(url, token);
const letters = (where = '') =>
  count(
    env.databaseUrl,
    `SELECT count(*) AS n FROM dead_letters WHERE reason = 'too_large' ${where}`,
  );
const rows = () => count(env.databaseUrl, 'SELECT count(*) AS n FROM orders');
async function stop(signal: NodeJS.Signals) {
  const c = child;
  child = undefined;
  c?.kill(signal);
  await c?.exited;
}

/**
 * Where run 1's time went, in ms after the POST, from PostgreSQL's own clock (now() is each
 * transaction's start): created (the POST's transaction), claimed by the runner, the first and
 * last chunk marked sent, ingest's first and last transaction recording an outcome, and how
 * many such transactions (batches) there were.
 */
async function runTimeline(run: number, anchor: string) {
  const [t] = await sql<Record<string, number | null>>(
    env.databaseUrl,
    `SELECT
       extract(epoch FROM r.created_at - $2::timestamptz) * 1000 AS created,
       extract(epoch FROM r.started_at - $2::timestamptz) * 1000 AS claimed,
       extract(epoch FROM min(l.sent_at) - $2::timestamptz) * 1000 AS first_sent,
       extract(epoch FROM max(l.sent_at) - $2::timestamptz) * 1000 AS last_sent,
       extract(epoch FROM min(l.outcome_at) - $2::timestamptz) * 1000 AS first_outcome,
       extract(epoch FROM max(l.outcome_at) - $2::timestamptz) * 1000 AS last_outcome,
       count(DISTINCT l.outcome_at)::float8 AS outcome_batches
     FROM redrive_runs r JOIN redrive_letters l ON l.run_id = r.id
     WHERE r.id = $1 GROUP BY r.id`,
    [run, anchor],
  );
  return Object.fromEntries(
    Object.entries(t ?? {}).map(([k, v]) => [k, v === null ? null : Math.round(Number(v))]),
  );
}

try {
  // 1. every order dead-lettered under a too-low limit
  await start({ KAFKA_MAX_BYTES: String(TOO_LOW) });
  const first = oversizedOrders(LETTERS, TOO_LOW, 1);
  const second = oversizedOrders(LETTERS, TOO_LOW, 2);
  log(`producing 2 × ${LETTERS} orders over ${TOO_LOW} bytes (KAFKA_MAX_BYTES=${TOO_LOW})`);
  await produceAll(env.brokers, env.topic, first);
  await waitFor(async () => (await letters()) === LETTERS, 300_000, 'first letters', 200);
  const [cut] = await sql<{ at: string }>(env.databaseUrl, 'SELECT clock_timestamp() AS at');
  const until = new Date(cut?.at ?? Date.now()).toISOString();
  await produceAll(env.brokers, env.topic, second);
  await waitFor(async () => (await letters()) === 2 * LETTERS, 300_000, 'second letters', 200);
  await stop('SIGTERM');

  // 2. the fix: the default limit
  await start(CPU_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${CPU_PROF}` } : {});
  log('ingest restarted with the default KAFKA_MAX_BYTES');

  // 3. one redrive, end to end
  const [anchor] = await sql<{ at: string }>(env.databaseUrl, 'SELECT clock_timestamp() AS at');
  const t0 = performance.now();
  const run1 = await admin.start({ filter: { reason: 'too_large', until }, rate: RATE });
  if (run1.matched !== LETTERS || run1.would_pass !== LETTERS) {
    throw new Error(`run 1 selected ${run1.matched}, ${run1.would_pass} pass (want ${LETTERS})`);
  }
  let sentAt: number | undefined;
  let storedAt: number | undefined;
  let outcomesAt: number | undefined;
  let final1: RedriveRun | undefined;
  await waitFor(
    async () => {
      const [run, stored] = await Promise.all([admin.run(run1.run), rows()]);
      const now = performance.now();
      if (run && run.progress.sent === LETTERS) sentAt ??= now;
      if (stored === LETTERS) storedAt ??= now;
      if (run && run.state === 'done' && run.outcomes.stored === LETTERS) {
        outcomesAt ??= now;
        final1 = run;
      }
      return sentAt !== undefined && storedAt !== undefined && outcomesAt !== undefined;
    },
    300_000,
    'run 1 sent and stored',
    20,
  );
  const seconds = (at: number | undefined) => Math.round(((at ?? t0) - t0) / 10) / 100;
  const endToEnd = Math.max(storedAt ?? t0, outcomesAt ?? t0);
  const lettersPerSecond = Math.round(LETTERS / ((endToEnd - t0) / 1000));
  // where the sending time goes: one sent_at per chunk (each chunk one Kafka transaction)
  const [chunks] = await sql<{ n: string; span_ms: string }>(
    env.databaseUrl,
    `SELECT count(DISTINCT sent_at) AS n,
            extract(epoch FROM max(sent_at) - min(sent_at)) * 1000 AS span_ms
       FROM redrive_letters WHERE run_id = $1`,
    [run1.run],
  );
  const chunkCount = Number(chunks?.n ?? 0);
  const msPerChunk = chunkCount > 1 ? Math.round(Number(chunks?.span_ms) / (chunkCount - 1)) : null;
  const timeline = await runTimeline(run1.run, anchor?.at ?? '');
  log(`run ${run1.run} timeline (ms after the POST): ${JSON.stringify(timeline)}`);
  const sample = first
    .filter((_, i) => i % Math.ceil(LETTERS / 200) === 0)
    .map((m) => String(m.key));
  const servedCount = await served(url(), sample);
  log(
    `run ${run1.run}: ${LETTERS} letters sent in ${seconds(sentAt)} s, stored in ${seconds(endToEnd)} s: ${lettersPerSecond} letters/s end to end; ${servedCount}/${sample.length} sampled served`,
  );

  // 4. a redrive killed -9 part-way, resumed
  if (CPU_PROF) {
    await stop('SIGTERM');
    await start();
  }
  const run2 = await admin.start({ filter: { reason: 'too_large', since: until }, rate: RATE });
  let sentAtKill = 0;
  await waitFor(
    async () => {
      const run = await admin.run(run2.run);
      if (!run) return false;
      if (run.state !== 'running') throw new Error(`run ${run2.run} ended before the kill`);
      sentAtKill = run.progress.sent;
      return sentAtKill >= LETTERS * 0.2;
    },
    60_000,
    'run 2 part-way',
    5,
  );
  // into the next chunk (~350 ms each here), so the kill finds one in flight, not between two
  await new Promise((resolve) => setTimeout(resolve, KILL_DELAY_MS));
  await stop('SIGKILL');
  log(`ingest killed -9 ${KILL_DELAY_MS} ms after reading ${sentAtKill} of ${LETTERS} sent`);
  await start();
  const resumedAt = performance.now();
  const resume = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, [cli, '--run', String(run2.run), '--json', '--url', url()], {
      env: { PATH: process.env.PATH ?? '', ORDERS_ADMIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    p.once('exit', (code) => resolve({ code, out, err }));
  });
  if (resume.code !== 0) throw new Error(`redrive --run exited ${resume.code}: ${resume.err}`);
  const final2 = JSON.parse(resume.out) as RedriveRun;
  const resumeSeconds = Math.round((performance.now() - resumedAt) / 10) / 100;
  await waitFor(async () => (await rows()) === 2 * LETTERS, 300_000, 'run 2 stored', 100);

  const [topic1, topic2] = await Promise.all([
    redrivenOnTopic(env.brokers, env.topic, run1.run),
    redrivenOnTopic(env.brokers, env.topic, run2.run),
  ]);
  const skipped2 = final2.matched - topic2.letters.size - final2.progress.skipped;
  log(
    `run ${run2.run} resumed in ${resumeSeconds} s: ${topic2.records} records, ${topic2.letters.size} letters; sent twice ${topic2.sentTwice}, skipped ${skipped2}`,
  );

  const results = {
    loadAverage1mAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    letters: LETTERS,
    partitions: PARTITIONS,
    rate: RATE,
    fix: `KAFKA_MAX_BYTES ${TOO_LOW} → default: too_large letters pass unchanged`,
    redrive: {
      lettersPerSecondEndToEnd: lettersPerSecond,
      target: 5_000,
      secondsToSent: seconds(sentAt),
      secondsToStored: seconds(endToEnd),
      stored: final1?.outcomes.stored ?? 0,
      rowsInPostgres: LETTERS,
      servedOfSample: `${servedCount}/${sample.length}`,
      sentTwice: topic1.sentTwice,
      chunks: chunkCount,
      msPerChunk,
      timeline,
    },
    killAndResume: {
      sentAtKill,
      resumeSeconds,
      sentTwice: topic2.sentTwice,
      skipped: skipped2,
      target: 0,
      stored: final2.outcomes.stored,
      superseded: final2.outcomes.superseded,
      killDelayMs: KILL_DELAY_MS,
      events: final2.events.map((e) => e.event).join(','),
      // the chunk in flight at the kill: found on the topic (marked sent) / back to pending
      inFlightFoundSent: final2.events.find((e) => e.event === 'reconciled')?.found_sent ?? 0,
      inFlightBackToPending:
        final2.events.find((e) => e.event === 'reconciled')?.back_to_pending ?? 0,
    },
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/redrive.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  if (topic1.sentTwice + topic2.sentTwice + skipped2 !== 0) process.exitCode = 1;
} finally {
  await stop('SIGKILL');
  await env.cleanup();
}
process.exit();
