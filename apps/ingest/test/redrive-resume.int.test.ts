// A redrive run killed part-way (kill -9 of the ingest sending it, right after a chunk's Kafka
// transaction committed and before PostgreSQL marked it sent) and resumed by the restarted ingest:
// on the orders topic (read_committed) every letter of the run exactly once, none skipped.
import { REDRIVE_HEADERS, readToHighWatermark } from '@orders/kafka';
import { describe, expect, it } from 'vitest';
import { CRASH_AFTER_REDRIVE_CHUNK } from './crash-main.ts';
import { bytes, makeOrder } from './fixtures.ts';
import { kafka, produce, rowCount, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();
const SECRET = 'resume-secret-0123456789abcdef';
const LETTERS = 300;

describe('redrive across kill -9', () => {
  it('a resumed run sends no letter twice and skips none', async () => {
    const env = await t.setup({ partitions: 2 });
    const tokens = { ADMIN_TOKENS: `ops=${SECRET}` };
    // chunks of 5 at 25/s (a fifth of the rate): the 12th chunk's commit kills the process
    const first = await t.spawn({ ...tokens, [CRASH_AFTER_REDRIVE_CHUNK]: '12' });
    await sql(
      env.databaseUrl,
      "ALTER TABLE orders ADD CONSTRAINT t_blocked CHECK (data->>'track_number' <> 'BLOCKED')",
    );
    await produce(
      env.brokers,
      env.topic,
      Array.from({ length: LETTERS }, (_, i) => ({
        key: `r-${i}`,
        value: bytes(makeOrder(`r-${i}`, { track_number: 'BLOCKED' })),
      })),
    );
    const count = async () =>
      Number(
        (await sql<{ n: string }>(env.databaseUrl, 'SELECT count(*) AS n FROM dead_letters'))[0]?.n,
      );
    await waitFor(async () => (await count()) === LETTERS, 60_000, 'every letter in the ledger');
    await sql(env.databaseUrl, 'ALTER TABLE orders DROP CONSTRAINT t_blocked');

    const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
    const started = await fetch(`${first.url}/dead-letters/redrive`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ filter: { reason: 'rejected_by_database' }, rate: 25 }),
    });
    expect(started.status).toBe(202);
    const { run } = (await started.json()) as { run: number };
    const exit = await first.exited;
    expect(exit.signal).toBe('SIGKILL');
    const left = await sql<{ state: string; n: string }>(
      env.databaseUrl,
      'SELECT state, count(*) AS n FROM redrive_letters WHERE run_id = $1 GROUP BY 1',
      [run],
    );
    // the kill left the committed chunk 'sending' and most of the run to do
    expect(left.find((r) => r.state === 'sending')?.n).toBe('5');

    const second = await t.spawn(tokens);
    type Run = {
      state: string;
      progress: { sent: number };
      outcomes: { stored: number; awaiting: number };
      events: { event: string; found_sent?: number }[];
    };
    let shown: Run | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${second.url}/dead-letters/redrives/${run}`, { headers });
        shown = (await res.json()) as Run;
        return shown.state === 'done' && shown.outcomes.awaiting === 0;
      },
      90_000,
      'the run resumed and done',
    );
    expect(shown?.progress.sent).toBe(LETTERS);
    expect(shown?.outcomes.stored).toBe(LETTERS);
    expect(shown?.events.find((e) => e.event === 'reconciled')).toMatchObject({ found_sent: 5 });

    const records = await readToHighWatermark(kafka(env.brokers), env.topic, {
      isolation: 'read_committed',
      keep: (r) => r.headers[REDRIVE_HEADERS.run] === String(run),
      timeoutMs: 30_000,
    });
    const perLetter = new Map<string, number>();
    for (const r of records) {
      const letter = r.headers[REDRIVE_HEADERS.letter] ?? '';
      perLetter.set(letter, (perLetter.get(letter) ?? 0) + 1);
    }
    const twice = [...perLetter].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    expect(perLetter.size).toBe(LETTERS);
    expect(await rowCount(env.databaseUrl)).toBe(LETTERS);
  }, 180_000);
});
