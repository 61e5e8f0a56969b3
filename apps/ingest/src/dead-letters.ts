// The dead-letter sink: letters fitted to the DLQ topic's limit and split into sends under it
// (dlq-records.ts), published acks=all by an idempotent producer. It is fed by the outbox
// (outbox.ts) from the ledger, after the batch's commit: at least once, each letter keyed by its
// source coordinates so a reader can dedupe.
//
// A refusal of the records themselves is deterministic: sending the same bytes again cannot help,
// and retrying them forever stalled the partition. So a refusal re-reads the topic's limit (it may
// have been lowered) and sends again with a smaller budget, which cuts more; at the floor, a letter
// that still cannot be published is given up: logged with its source coordinates and counted,
// never retried forever (the ledger keeps it). Any other failure is the broker's or the network's:
// it propagates and the outbox retries. What counts as a refusal: KafkaError's `recordRefused`.
import {
  chunkRecords,
  KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
  KafkaError,
  type OutboundRecord,
  RECORD_BATCH_OVERHEAD,
  type TopicLimits,
} from '@orders/kafka';
import { type Cut, fitDeadLetter } from './dlq-records.ts';
import type { DeadLetter } from './handle-batch.ts';
import { errorFields, type Logger } from './logger.ts';

/** A refused send is retried with half the budget, at most this many times (2 MiB → 64 KiB). */
export const MAX_SHRINKS = 5;

export type PublishOutcome = {
  /** letters published (cut or not) */
  published: number;
  /** letters published cut to fit, by what gave way */
  cut: Partial<Record<Exclude<Cut, 'none'>, number>>;
  /** letters the DLQ topic refused in every form: logged with their coordinates, not published */
  unpublishable: DeadLetter[];
};

export type DeadLetterSink = {
  /** the letters on the topic, each acknowledged by all in-sync replicas, or a transient error */
  publish(letters: DeadLetter[]): Promise<PublishOutcome>;
  /** the limits letters are fitted to now */
  limits(): TopicLimits;
};

/** Sends each element as one produce request, in order, acks=all. */
export type RecordSender = (topic: string, sends: OutboundRecord[][]) => Promise<void>;

export type DeadLetterSinkOptions = {
  send: RecordSender;
  topic: string;
  /** the DLQ topic's limits, read at start */
  limits: TopicLimits;
  /** reads them again after a refusal; undefined keeps the ones known */
  readLimits?(): Promise<TopicLimits>;
  logger: Logger;
};

const NO_LETTERS: PublishOutcome = { published: 0, cut: {}, unpublishable: [] };

export function createDeadLetterSink(options: DeadLetterSinkOptions): DeadLetterSink {
  const { send, topic, logger } = options;
  let limits = options.limits;

  function build(letters: DeadLetter[], batchBytes: number) {
    const recordBudget = batchBytes - RECORD_BATCH_OVERHEAD;
    const records: OutboundRecord[] = [];
    const outcome: PublishOutcome = { published: 0, cut: {}, unpublishable: [] };
    for (const letter of letters) {
      const fitted = fitDeadLetter(letter, { recordBudget, needsKey: limits.compacted });
      if (!fitted) {
        outcome.unpublishable.push(letter);
        continue;
      }
      records.push(fitted.record);
      outcome.published++;
      if (fitted.cut !== 'none') outcome.cut[fitted.cut] = (outcome.cut[fitted.cut] ?? 0) + 1;
    }
    return { sends: chunkRecords(records, recordBudget), outcome };
  }

  async function refresh(): Promise<void> {
    if (!options.readLimits) return;
    try {
      const fresh = await options.readLimits();
      if (fresh.maxMessageBytes !== limits.maxMessageBytes) {
        logger.warn('dead-letter topic limit changed, fitting letters to the new one', {
          topic,
          from: limits.maxMessageBytes,
          to: fresh.maxMessageBytes,
        });
      }
      limits = fresh;
    } catch (err) {
      logger.debug('re-reading the dead-letter topic limits failed', {
        err: { message: (err as Error).message },
      });
    }
  }

  return {
    limits: () => limits,
    async publish(letters) {
      if (letters.length === 0) return NO_LETTERS;
      let budget = limits.maxMessageBytes;
      for (let shrinks = 0; ; shrinks++) {
        const { sends, outcome } = build(letters, budget);
        try {
          if (sends.length > 0) await send(topic, sends);
          if (outcome.unpublishable.length > 0) reportUnpublishable(outcome, budget);
          return outcome;
        } catch (err) {
          const classified = KafkaError.from(err);
          if (!classified.recordRefused) throw err;
          logger.warn('dead-letter topic refused the records, fitting them to a smaller size', {
            topic,
            refusal: classified.type,
            budgetBytes: budget,
            letters: letters.length,
          });
          await refresh();
          if (shrinks >= MAX_SHRINKS) {
            // nothing of these letters gets through (the ledger keeps them)
            const none: PublishOutcome = { published: 0, cut: {}, unpublishable: letters };
            reportUnpublishable(none, budget);
            return none;
          }
          budget = Math.min(limits.maxMessageBytes, Math.floor(budget / 2));
        }
      }
    },
  };

  function reportUnpublishable(outcome: PublishOutcome, budget: number) {
    // one line, every coordinate (capped): where an operator finds what is only in the ledger
    const letters = outcome.unpublishable;
    logger.error(
      'dead letters the dead-letter topic refused in every form: kept in the ledger only',
      {
        topic,
        count: letters.length,
        budgetBytes: budget,
        sources: letters
          .slice(0, 100)
          .map((l) => `${l.source.topic}/${l.source.partition}/${l.source.offset}`),
        reasons: [...new Set(letters.map((l) => l.reason))],
      },
    );
  }
}

/**
 * The DLQ topic's limits at start. It may have been created elsewhere, with another limit than
 * ours: letters are fitted to what the broker enforces on it. Unreadable (no DescribeConfigs
 * ACL): Kafka's default, said in a warn line.
 */
export async function readLimitsOrDefault(
  read: () => Promise<TopicLimits>,
  topic: string,
  logger: Logger,
): Promise<TopicLimits> {
  try {
    const limits = await read();
    logger.info('dead-letter topic limits', { topic, ...limits });
    return limits;
  } catch (err) {
    const assumed = {
      maxMessageBytes: KAFKA_DEFAULT_MAX_MESSAGE_BYTES,
      compacted: false,
      source: 'assumed: the topic config could not be read',
    };
    logger.warn("dead-letter topic config unreadable, fitting letters to Kafka's default limit", {
      topic,
      maxMessageBytes: assumed.maxMessageBytes,
      ...errorFields(err),
    });
    return assumed;
  }
}
