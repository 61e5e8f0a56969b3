// The producer's side of a trace: where an order's trace starts.
import type { FastRecord } from '@orders/kafka';
import type { TraceSpan, Tracing } from '@orders/tracing';

/**
 * One producer span per message (a new trace each: an order's trace starts here), its context
 * written as the message's `traceparent` header for ingest's batch span to link to. An unsampled
 * span still writes its traceparent (flag 00), so the decision travels with the message.
 */
export function traceMessages(
  tracing: Tracing,
  topic: string,
  messages: FastRecord[],
): TraceSpan[] {
  return messages.map((m) => {
    const span = tracing.start(`${topic} send`, {
      kind: 'producer',
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.kafka.message.key': m.key,
      },
    });
    const traceparent = span.traceparent();
    if (traceparent) m.headers = { traceparent };
    return span;
  });
}
