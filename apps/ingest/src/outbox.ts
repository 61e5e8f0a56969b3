// The dead-letter topic, fed from the ledger (an outbox). A batch's letters are committed to
// PostgreSQL with its orders and offsets (exactly once per source offset); afterwards this loop
// publishes the ledger rows not yet on the topic and marks them. A crash between the two
// publishes them again, with the same key `<topic>/<partition>/<offset>`: the topic holds each
// letter at least once, and a reader dedupes by key.
//
// Each instance publishes the letters of the partitions it owns (so two instances do not race for
// the same rows); a partition's leftovers are published by its next owner. A failing topic is
// retried with backoff and never holds up a batch.
import { DLQ_HEADERS } from '@orders/kafka';
import type { Problem } from '@orders/model';
import type { DeadLetterSink, PublishOutcome } from './dead-letters.ts';
import type { DeadLetter } from './handle-batch.ts';
import { dlqHeaders } from './handle-batch.ts';
import type { LedgerLetter, LedgerRepo } from './ledger-repo.ts';
import { errorFields, type Logger } from './logger.ts';

export type Outbox = {
  /** letters were committed: publish soon */
  wake(): void;
  /** every letter of the owned partitions published (or failing: resolves on the next success) */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

export type OutboxOptions = {
  ledger: Pick<LedgerRepo, 'unpublished' | 'markPublished'>;
  sink: Pick<DeadLetterSink, 'publish'>;
  /** the source partitions whose letters this instance publishes (those it owns) */
  owned(): { topic: string; partition: number }[];
  logger: Logger;
  onPublished?(outcome: PublishOutcome): void;
  /** a round failed (it is retried with backoff) */
  onFailed?(): void;
  /** test hook: letters on the topic, not yet marked in the ledger */
  afterPublish?(): void;
  /** rows per round (default 500) */
  batchSize?: number;
  /** a sweep for leftovers even without a wake (default 5 s; 0: none) */
  sweepMs?: number;
  backoff?: { baseMs: number; capMs: number };
};

/** The letter as the topic gets it: keyed by its coordinates, the source key in a header. */
export function letterFromLedger(row: LedgerLetter): DeadLetter {
  const source = { ...row.source, timestamp: row.source.timestamp ?? '' };
  const headers = dlqHeaders(row.reason, row.problems as Problem[], source);
  if (row.valueTruncated && row.valueSize !== null && row.valueSha256 !== null) {
    headers[DLQ_HEADERS.valueTruncated] = 'true';
    headers[DLQ_HEADERS.valueBytes] = String(row.valueSize);
    headers[DLQ_HEADERS.valueSha256] = row.valueSha256;
  }
  // a header the source repeated comes back as the list of its values, as kafkajs gives it
  const originalHeaders: Record<string, Buffer | Buffer[]> = {};
  for (const h of row.headers) {
    const seen = originalHeaders[h.name];
    if (seen === undefined) originalHeaders[h.name] = h.value;
    else originalHeaders[h.name] = Array.isArray(seen) ? [...seen, h.value] : [seen, h.value];
  }
  return {
    reason: row.reason as DeadLetter['reason'],
    problems: row.problems as Problem[],
    key: Buffer.from(`${source.topic}/${source.partition}/${source.offset}`),
    value: row.value,
    headers,
    originalHeaders,
    sourceKey: row.key,
    ...(row.uid === null ? {} : { uid: row.uid }),
    source,
  };
}

export function createOutbox(o: OutboxOptions): Outbox {
  const log = o.logger;
  const batchSize = o.batchSize ?? 500;
  const backoff = o.backoff ?? { baseMs: 200, capMs: 5_000 };
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  async function drain(): Promise<void> {
    for (;;) {
      const owned = o.owned();
      if (owned.length === 0 || stopped) return;
      const rows = await o.ledger.unpublished({ partitions: owned, limit: batchSize });
      if (rows.length === 0) return;
      const outcome = await o.sink.publish(rows.map(letterFromLedger));
      o.afterPublish?.();
      // unpublishable ones too: the sink logged them, the ledger keeps them; never retried forever
      await o.ledger.markPublished(rows.map((r) => r.id));
      o.onPublished?.(outcome);
      if (rows.length < batchSize) return;
    }
  }

  function run(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = drain().then(
      () => {
        if (failures > 0)
          log.info('dead-letter topic publishing again', { failedAttempts: failures });
        failures = 0;
        running = undefined;
        if (again) run();
        else {
          for (const w of idleWaiters) w();
          idleWaiters = [];
        }
      },
      (err: unknown) => {
        running = undefined;
        o.onFailed?.();
        if (failures++ === 0) {
          log.warn(
            'publishing dead letters failed, retrying with backoff (they are in the ledger)',
            errorFields(err),
          );
        }
        const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(failures, 20));
        retry = setTimeout(
          () => {
            retry = undefined;
            run();
          },
          Math.round(backoff.baseMs / 2 + Math.random() * (ceiling - backoff.baseMs / 2)),
        );
        retry.unref();
      },
    );
  }

  const sweep =
    (o.sweepMs ?? 5_000) > 0 ? setInterval(() => run(), o.sweepMs ?? 5_000).unref() : undefined;

  return {
    wake: run,
    idle() {
      if (!running && failures === 0 && !retry) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      if (sweep) clearInterval(sweep);
      if (retry) clearTimeout(retry);
      await running?.catch(() => {});
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
}
