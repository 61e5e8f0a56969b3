// Dead letters → records for the dead-letter topic. The value is the original bytes, untouched,
// except in one case: a record that could not fit the DLQ topic's size limit (only possible when
// the DLQ topic was created elsewhere with a smaller limit than ours) is cut and marked, because a
// record the broker refuses would block its partition forever.
import { createHash } from 'node:crypto';
import type { DlqProducer, OutboundRecord } from './consumer.ts';
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
  /** resolves once the broker acknowledged every record (acks=all) */
  publish(letters: DeadLetter[]): Promise<void>;
};

export function createDeadLetterSink(producer: DlqProducer, dlqTopic: string): DeadLetterSink {
  return {
    async publish(letters) {
      if (letters.length === 0) return;
      await producer.send(
        dlqTopic,
        letters.map((l) => toDlqRecord(l)),
      );
    },
  };
}
