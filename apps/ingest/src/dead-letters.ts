// Dead letters → records for the dead-letter topic. The value is the original bytes, untouched,
// except in one case: a record that could not fit the DLQ topic's size limit (only possible when
// the DLQ topic was created elsewhere with a smaller limit than ours) is cut and marked, because a
// record the broker refuses would block its partition forever.
import { createHash } from 'node:crypto';
import type { DlqProducer, OutboundRecord, SourceOffset } from './consumer.ts';
import type { DeadLetter } from './handle-batch.ts';

export const DLQ_VALUE_LIMIT = 2 * 1024 * 1024 - 64 * 1024;

export function toDlqRecord(letter: DeadLetter, valueLimit = DLQ_VALUE_LIMIT): OutboundRecord {
  const value = letter.value;
  if (value && value.length > valueLimit) {
    return {
      key: letter.key,
      value: value.subarray(0, valueLimit),
      headers: {
        ...letter.headers,
        'x-dlq-value-truncated': 'true',
        'x-dlq-value-bytes': String(value.length),
        'x-dlq-value-sha256': createHash('sha256').update(value).digest('hex'),
      },
    };
  }
  return { key: letter.key, value, headers: letter.headers };
}

export type DeadLetterSink = {
  /**
   * One Kafka transaction: the records (acks=all) and the consumer offset `source` (the batch's
   * last offset + 1). A crash before its commit aborts both; the batch is redelivered and its
   * dead letters are published again in a new transaction: read_committed readers see each once.
   */
  publish(letters: DeadLetter[], source: SourceOffset): Promise<void>;
};

export function createDeadLetterSink(producer: DlqProducer, dlqTopic: string): DeadLetterSink {
  return {
    async publish(letters, source) {
      if (letters.length === 0) return;
      await producer.sendWithOffset(
        dlqTopic,
        letters.map((l) => toDlqRecord(l)),
        source,
      );
    },
  };
}
