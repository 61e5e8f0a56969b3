// Dead letters on Kafka: the header contract every writer and reader of the dead-letter topic
// shares. A letter's key is its source coordinates `<topic>/<partition>/<offset>` (the dedupe key
// of an at-least-once publisher); the source message's own key travels in x-dlq-source-key.

/** Header names on dead letters (Kafka Connect uses a similar `__connect.errors.*` family). */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  problems: 'x-dlq-problems',
  topic: 'x-dlq-source-topic',
  partition: 'x-dlq-source-partition',
  offset: 'x-dlq-source-offset',
  timestamp: 'x-dlq-source-timestamp',
  /** the source message's key (absent for a message without one) */
  sourceKey: 'x-dlq-source-key',
  // only on a letter cut to fit the DLQ topic's limit
  valueTruncated: 'x-dlq-value-truncated',
  valueBytes: 'x-dlq-value-bytes',
  valueSha256: 'x-dlq-value-sha256',
  originalHeadersDropped: 'x-dlq-original-headers-dropped',
  keyBytes: 'x-dlq-key-bytes',
  keySha256: 'x-dlq-key-sha256',
} as const;

/**
 * Headers of a redriven message on the orders topic (apps/ingest "Redrive"): the ledger letter it
 * resends (`dead_letters.id`) and the run that sent it. Ingest takes such a message's version
 * position from that letter's ledger row, and only when the run did send that letter; the headers'
 * own values are never trusted for it.
 */
export const REDRIVE_HEADERS = { letter: 'x-redrive-letter', run: 'x-redrive-run' } as const;

/**
 * The source message's own headers travel under this prefix, never as they are: a producer cannot
 * forge an x-dlq-* header (its own `x-dlq-reason` arrives as `x-dlq-original-x-dlq-reason`).
 */
export const ORIGINAL_HEADER_PREFIX = 'x-dlq-original-';

// A DLQ record is the original value plus a few headers, so the DLQ topic allows somewhat more
// than the broker's default 1 MB message size: an original that fit its topic fits here too.
export const DLQ_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
