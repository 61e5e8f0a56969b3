// Pure: one Kafka batch (one topic-partition) → the valid orders to upsert and the dead letters to
// publish. No I/O, never throws on bad input: a bad message is data, not an exception, so it can
// never block its partition.
import { DLQ_HEADERS, type HeaderValue, type InboundMessage, REDRIVE_HEADERS } from '@orders/kafka';
import { type DeadLetterReason, decodeAndEncodeOrder, type Problem } from '@orders/model';
import type { RedriveStepResult } from './redrive/batch-step.ts';
import { type RedriveRef, redriveRef } from './redrive/refs.ts';

export type { HeaderValue, InboundMessage };

export type InboundBatch = { topic: string; partition: number; messages: InboundMessage[] };

// No reference to the parsed order is kept: its ~70 objects and strings then die young (in the
// scavenge after decoding) instead of surviving until the batch's COMMIT and being promoted.
export type ValidOrder = {
  uid: string;
  /** canonical bytes (what the API serves; may be a view of the message value) and their ETag */
  body: Buffer;
  etag: string;
  /** epoch ms of `date_created`, or null when it does not parse */
  dateCreated: number | null;
  partition: number;
  offset: string;
  /** Kafka message timestamp, epoch ms as a string (as kafkajs gives it) */
  timestamp: string;
  /** the message as received, kept (by reference) in case the database refuses the order */
  source: {
    topic: string;
    key: Buffer | null;
    value: Buffer | null;
    headers?: Record<string, HeaderValue>;
  };
  /** a redriven message: the (run, letter) its headers name, checked in the batch's transaction */
  redrive?: RedriveRef;
};

export type DeadLetter = {
  reason: DeadLetterReason;
  problems: Problem[];
  /** the record key: the source message's own (in the ledger), its coordinates (on the topic) */
  key: Buffer | null;
  /** the original value bytes, untouched (on the topic: as the ledger kept them) */
  value: Buffer | null;
  /** ours (@orders/kafka DLQ_HEADERS) */
  headers: Record<string, string>;
  /** the source message's headers, as received (published under ORIGINAL_HEADER_PREFIX) */
  originalHeaders?: Record<string, HeaderValue>;
  /** on the topic: the source message's key (x-dlq-source-key), given up with the headers */
  sourceKey?: Buffer | null;
  /** the order_uid read from an invalid order, when it had one */
  uid?: string;
  source: { topic: string; partition: number; offset: string; timestamp: string };
  /** a redriven message that failed again: the (run, letter) its headers name */
  redrive?: RedriveRef;
};

export type HandledBatch = {
  valid: ValidOrder[];
  deadLetters: DeadLetter[];
  /** messages superseded by a later message with the same uid in this same batch */
  supersededInBatch: number;
  /** count of messages looked at */
  total: number;
  /**
   * Valid messages that name a redrive (x-redrive-letter), in offset order: kept out of the
   * in-batch dedupe (their version position is their letter's, not their offset) and written after
   * the batch's orders, in its transaction (redrive/batch-step.ts). Absent when there are none.
   */
  redriven?: ValidOrder[];
  /** how many of `deadLetters` name a redrive */
  redrivenLetters?: number;
  /** set by the writer when the batch had redriven messages: what became of them (after COMMIT) */
  redrive?: RedriveStepResult;
};

export type HandleBatchOptions = { maxBytes: number };

// Problems are diagnostics; cap them so a pathological message cannot make a huge header.
const MAX_PROBLEMS = 20;
const MAX_PROBLEM_MESSAGE = 200;

/** The problems as kept (ledger) and sent (x-dlq-problems): at most 20, messages cut at 200. */
export function cappedProblems(problems: Problem[]): Problem[] {
  return problems.slice(0, MAX_PROBLEMS).map((p) => ({
    path: p.path,
    code: p.code,
    message:
      p.message.length > MAX_PROBLEM_MESSAGE ? p.message.slice(0, MAX_PROBLEM_MESSAGE) : p.message,
  }));
}

function problemsHeader(problems: Problem[]): string {
  const kept = cappedProblems(problems);
  return JSON.stringify(
    problems.length > MAX_PROBLEMS
      ? { problems: kept, omitted: problems.length - MAX_PROBLEMS }
      : kept,
  );
}

/** Our headers of a letter: why, and where the message came from. */
export function dlqHeaders(
  reason: string,
  problems: Problem[],
  source: DeadLetter['source'],
): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: reason,
    [DLQ_HEADERS.problems]: problemsHeader(problems),
    [DLQ_HEADERS.topic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: source.offset,
    [DLQ_HEADERS.timestamp]: source.timestamp,
  };
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function toEpochMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

export function deadLetter(
  reason: DeadLetterReason,
  problems: Problem[],
  message: {
    key: Buffer | null;
    value: Buffer | null;
    offset: string;
    timestamp: string;
    headers?: Record<string, HeaderValue>;
  },
  topic: string,
  partition: number,
  uid?: string,
): DeadLetter {
  const source = { topic, partition, offset: message.offset, timestamp: message.timestamp };
  return {
    reason,
    problems,
    key: message.key,
    value: message.value,
    originalHeaders: message.headers,
    headers: dlqHeaders(reason, problems, source),
    ...(uid === undefined ? {} : { uid }),
    source,
  };
}

/** The dead letter for a valid order that PostgreSQL refused (see DeadLetterReason). */
export function rejectedByDatabase(order: ValidOrder, code: string, message: string): DeadLetter {
  return deadLetter(
    'rejected_by_database',
    [{ path: '', code: 'invalid', message: `SQLSTATE ${code}: ${message}` }],
    { ...order.source, offset: order.offset, timestamp: order.timestamp },
    order.source.topic,
    order.partition,
    order.uid,
  );
}

/** Takes one batch's messages one at a time (so a caller may pause in between); see handleBatch. */
export type BatchAccumulator = {
  add(message: InboundMessage): void;
  result(): HandledBatch;
};

export function createBatchAccumulator(
  batch: { topic: string; partition: number },
  options: HandleBatchOptions,
): BatchAccumulator {
  const byUid = new Map<string, ValidOrder>();
  const deadLetters: DeadLetter[] = [];
  let redriven: ValidOrder[] | undefined;
  let redrivenLetters = 0;
  let superseded = 0;
  let total = 0;

  // A message naming a redrive: a letter when it fails again, else kept apart with its claim.
  function addRedriven(
    message: InboundMessage,
    decoded: ReturnType<typeof decodeAndEncodeOrder>,
    ref: RedriveRef,
  ): void {
    if (!decoded.ok) {
      const letter = deadLetter(
        decoded.reason,
        decoded.problems,
        message,
        batch.topic,
        batch.partition,
        decoded.uid,
      );
      letter.redrive = ref;
      redrivenLetters++;
      deadLetters.push(letter);
      return;
    }
    redriven ??= [];
    redriven.push({
      uid: decoded.order.order_uid,
      body: decoded.body,
      etag: decoded.etag,
      dateCreated: toEpochMs((decoded.order as { date_created?: unknown }).date_created),
      partition: batch.partition,
      offset: message.offset,
      timestamp: message.timestamp,
      source: {
        topic: batch.topic,
        key: message.key,
        value: message.value,
        headers: message.headers,
      },
      redrive: ref,
    });
  }

  return {
    add(message) {
      total++;
      // One step: the body is the message's own bytes when they already are the canonical text.
      const decoded = decodeAndEncodeOrder(message.value, { maxBytes: options.maxBytes });
      // the one header check per message: does it name a redrive?
      const redriveLetter = message.headers?.[REDRIVE_HEADERS.letter];
      if (redriveLetter !== undefined) {
        const ref = redriveRef(redriveLetter, message.headers ?? {});
        if (ref) return addRedriven(message, decoded, ref);
      }
      if (!decoded.ok) {
        deadLetters.push(
          deadLetter(
            decoded.reason,
            decoded.problems,
            message,
            batch.topic,
            batch.partition,
            decoded.uid,
          ),
        );
        return;
      }
      const order = decoded.order;
      const uid = order.order_uid;
      const previous = byUid.get(uid);
      if (previous) {
        superseded++;
        // Offsets only grow within a partition; the comparison guards against odd input order.
        if (compareOffsets(previous.offset, message.offset) > 0) return;
      }
      byUid.set(uid, {
        uid,
        body: decoded.body,
        etag: decoded.etag,
        dateCreated: toEpochMs((order as { date_created?: unknown }).date_created),
        partition: batch.partition,
        offset: message.offset,
        timestamp: message.timestamp,
        source: {
          topic: batch.topic,
          key: message.key,
          value: message.value,
          headers: message.headers,
        },
      });
    },
    result() {
      const handled: HandledBatch = {
        valid: [...byUid.values()],
        deadLetters,
        supersededInBatch: superseded,
        total,
      };
      if (redriven) handled.redriven = redriven;
      if (redrivenLetters > 0) handled.redrivenLetters = redrivenLetters;
      return handled;
    },
  };
}

export function handleBatch(batch: InboundBatch, options: HandleBatchOptions): HandledBatch {
  const accumulator = createBatchAccumulator(batch, options);
  for (const message of batch.messages) accumulator.add(message);
  return accumulator.result();
}
