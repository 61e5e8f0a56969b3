// Ingest's spans (@orders/tracing; free when tracing is off: one property read per batch).
//   batch span   one per consumed batch, kind consumer, a link to each message's traceparent
//                (the producer's span: a batch mixes many traces, so they are links, not a parent)
//   write span   the batch's PostgreSQL transaction, a child of the batch span
//   ledger span  the dead letters recorded in that transaction, a child of the write span
//   publish span the outbox's send of letters to the DLQ topic, a link to each letter's source
import type { BatchControl } from '@orders/kafka';
import { NOOP_SPAN, type TraceSpan, type Tracing, traceparentOf } from '@orders/tracing';
import type { DeadLetterSink } from './dead-letters.ts';
import type { DeadLetter, HandledBatch } from './handle-batch.ts';
import type { LedgerRepo } from './ledger-repo.ts';

export function startBatchSpan(tracing: Tracing, batch: BatchControl): TraceSpan {
  if (!tracing.enabled) return NOOP_SPAN;
  const span = tracing.start(`${batch.topic} process`, {
    kind: 'consumer',
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': batch.topic,
      'messaging.destination.partition.id': String(batch.partition),
      'messaging.batch.message_count': batch.messages.length,
    },
  });
  // links only for a sampled batch: an unsampled one costs no header read
  if (span.recording) for (const m of batch.messages) span.link(traceparentOf(m.headers));
  return span;
}

/** `write` (the batch's transaction) as the batch span's child, current for the ledger's span. */
export async function traceWrite<T>(
  tracing: Tracing,
  batch: TraceSpan,
  handled: HandledBatch,
  write: () => Promise<T>,
): Promise<T> {
  if (!batch.recording) return write();
  const span = batch.child(
    'postgres write',
    {
      'db.system.name': 'postgresql',
      'db.operation.name': 'upsert',
      'db.collection.name': 'orders',
      'orders.valid': handled.valid.length,
      'orders.dead_letters': handled.deadLetters.length,
    },
    'client',
  );
  try {
    return await tracing.run(span, write);
  } catch (err) {
    span.fail(err);
    batch.fail(err);
    throw err;
  } finally {
    span.end();
  }
}

/** The ledger with a span per insert, under the write span current at the call. */
export function traceLedger<L extends Pick<LedgerRepo, 'insert'>>(ledger: L, tracing: Tracing): L {
  if (!tracing.enabled) return ledger;
  return {
    ...ledger,
    async insert(tx, letters) {
      const parent = tracing.current();
      if (!parent?.recording) return ledger.insert(tx, letters);
      const span = parent.child('dead_letters record', {
        'db.system.name': 'postgresql',
        'db.operation.name': 'insert',
        'db.collection.name': 'dead_letters',
        'orders.dead_letters': letters.length,
        'orders.dead_letter_reasons': reasons(letters),
      });
      try {
        return await ledger.insert(tx, letters);
      } catch (err) {
        span.fail(err);
        throw err;
      } finally {
        span.end();
      }
    },
  };
}

/** The DLQ sink with a producer span per publish, linked to each letter's source message. */
export function tracePublish(
  sink: DeadLetterSink,
  tracing: Tracing,
  topic: string,
): DeadLetterSink {
  if (!tracing.enabled) return sink;
  return {
    limits: () => sink.limits(),
    async publish(letters) {
      const span = tracing.start(`${topic} publish`, {
        kind: 'producer',
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          'messaging.batch.message_count': letters.length,
          'orders.dead_letter_reasons': reasons(letters),
        },
      });
      if (span.recording) for (const l of letters) span.link(traceparentOf(l.originalHeaders));
      try {
        const outcome = await sink.publish(letters);
        span.setAttribute('orders.dead_letters_published', outcome.published);
        return outcome;
      } catch (err) {
        span.fail(err);
        throw err;
      } finally {
        span.end();
      }
    },
  };
}

function reasons(letters: DeadLetter[]): string {
  return [...new Set(letters.map((l) => l.reason))].sort().join(',');
}
