// Resuming a run: the letters a stopped sender left 'sending' (only the chunk it had in flight)
// are looked for on the orders topic, from the run's `scan_from` on, by their x-redrive-run
// header. The run's transactional id was claimed first (the caller's producer.connect), so what
// read_committed readers will ever see of the run is on the topic already: found → 'sent', not
// found → 'pending' again, and sending those now is their first time.
import { type KafkaSettings, REDRIVE_HEADERS, readToHighWatermark } from '@orders/kafka';
import type { Logger } from '../logger.ts';
import type { RunRow, RunsRepo } from './runs-repo.ts';

type Where = { partition: number | null; offset: string | null };

export type ReconcileOptions = {
  runs: RunsRepo;
  kafkaSettings: KafkaSettings;
  topic: string;
  instance: string;
  log: Logger;
};

/** The letters a previous sender left 'sending': on the topic, or pending again. */
export async function reconcile(run: RunRow, o: ReconcileOptions): Promise<void> {
  const sending = await o.runs.sending(run.id);
  if (sending.length === 0) return;
  // ingest consumed these already: they went out
  const found = new Map<number, Where>();
  for (const s of sending) if (s.consumed) found.set(s.letter, { partition: null, offset: null });
  if (found.size < sending.length) {
    const from = new Map(
      Object.entries(run.scan_from).map(([p, offset]) => [Number(p), BigInt(offset)]),
    );
    const records = await readToHighWatermark(o.kafkaSettings, o.topic, {
      isolation: 'read_committed',
      from,
      keep: (r) => r.headers[REDRIVE_HEADERS.run] === String(run.id),
      timeoutMs: 120_000,
    });
    for (const r of records) {
      const letter = Number(r.headers[REDRIVE_HEADERS.letter]);
      if (!found.has(letter)) found.set(letter, { partition: r.partition, offset: r.offset });
    }
  }
  const sent = sending.filter((s) => found.has(s.letter));
  const back = sending.filter((s) => !found.has(s.letter)).map((s) => s.letter);
  const where = sent.map((s) => ({ letter: s.letter, ...(found.get(s.letter) as Where) }));
  if (!(await o.runs.markSent(run.id, o.instance, where))) {
    throw new Error('lost the run while reconciling');
  }
  await o.runs.backToPending(run.id, back);
  await o.runs.addEvent(run.id, {
    event: 'reconciled',
    instance: o.instance,
    found_sent: sent.length,
    back_to_pending: back.length,
  });
  o.log.info('redrive run resumed: letters in flight at the stop looked up on the topic', {
    run: run.id,
    foundSent: sent.length,
    backToPending: back.length,
  });
}
