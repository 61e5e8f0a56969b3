// The dead-letter side of ingest, wired: the ledger (in PostgreSQL, written by the batches), and
// the topic fed from it by the outbox through an idempotent producer, letters fitted to the limit
// the DLQ topic really has.
import type { Config } from '@orders/config';
import { createProducer, type KafkaClient, readTopicLimits, withAdmin } from '@orders/kafka';
import type { Tracing } from '@orders/tracing';
import { tracePublish } from './batch-trace.ts';
import type { Db } from './db.ts';
import { createDeadLetterSink, readLimitsOrDefault } from './dead-letters.ts';
import { createLedgerRepo, type LedgerRepo } from './ledger-repo.ts';
import type { Logger } from './logger.ts';
import type { IngestMetrics } from './metrics.ts';
import { createOutbox, type Outbox } from './outbox.ts';

export type DeadLetterTopic = {
  ledger: LedgerRepo;
  outbox: Outbox;
  /**
   * Publishes what the ledger still holds for the owned partitions (for at most `drainMs`: a stop
   * should not leave letters only in the ledger until the next start), then stops the outbox and
   * the producer.
   */
  stop(drainMs: number): Promise<void>;
};

export async function startDeadLetterTopic(o: {
  kafka: KafkaClient;
  db: Db;
  config: Config;
  /** the partitions this instance owns: it publishes their letters */
  owned(): number[];
  metrics: IngestMetrics;
  logger: Logger;
  tracing: Tracing;
  afterPublish?(): void;
}): Promise<DeadLetterTopic> {
  const { kafka, config, logger } = o;
  const topic = config.kafka.dlqTopic;
  const readLimits = () => withAdmin(kafka, (admin) => readTopicLimits(admin, topic));
  const limits = await readLimitsOrDefault(readLimits, topic, logger);
  // The ledger keeps values up to what the DLQ topic can carry (at least KAFKA_MAX_BYTES, so any
  // value that could pass fits whole): letters on the topic are the original bytes, as before.
  const ledger = createLedgerRepo(o.db, {
    valueCap: Math.max(config.kafka.maxMessageBytes, limits.maxMessageBytes),
  });
  const producer = await createProducer(kafka, { idempotent: true });
  const sink = createDeadLetterSink({
    send: async (to, sends) => {
      for (const records of sends) await producer.send(to, records);
    },
    topic,
    limits,
    readLimits,
    logger,
  });
  const outbox = createOutbox({
    ledger,
    sink: tracePublish(sink, o.tracing, topic),
    owned: () => o.owned().map((partition) => ({ topic: config.kafka.topic, partition })),
    logger,
    onPublished: o.metrics.deadLetters,
    onFailed: () => o.metrics.error('dead_letter_publish'),
    ...(o.afterPublish ? { afterPublish: o.afterPublish } : {}),
  });
  return {
    ledger,
    outbox,
    async stop(drainMs) {
      outbox.wake();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        outbox.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, drainMs);
        }),
      ]);
      clearTimeout(timer);
      await outbox.stop();
      await producer.close().catch(() => {});
    },
  };
}
