import type { FastRecord } from '@orders/kafka';
import { createMemoryTracing } from '@orders/tracing/testing';
import { describe, expect, it } from 'vitest';
import { traceMessages } from './trace-messages.ts';

describe('traceMessages', () => {
  it('one producer span per message, its traceparent in the headers', () => {
    const m = createMemoryTracing({ serviceName: 'orders-producer' });
    const records: FastRecord[] = [
      { topic: 'orders', key: 'a', value: '{}' },
      { topic: 'orders', key: 'b', value: '{}' },
    ];
    for (const span of traceMessages(m.tracing, 'orders', records)) span.end();
    const spans = m.spans();
    expect(spans.map((s) => [s.name, s.kind, s.attributes['messaging.kafka.message.key']])).toEqual(
      [
        ['orders send', 'producer', 'a'],
        ['orders send', 'producer', 'b'],
      ],
    );
    records.forEach((r, i) => {
      expect(r.headers?.traceparent).toBe(`00-${spans[i]?.traceId}-${spans[i]?.spanId}-01`);
    });
    expect(spans[0]?.traceId).not.toBe(spans[1]?.traceId);
  });

  it('unsampled: no span exported, the traceparent still written with flag 00', () => {
    const m = createMemoryTracing({ sampler: 'traceidratio', ratio: 0 });
    const records: FastRecord[] = [{ topic: 'orders', key: 'a', value: '{}' }];
    for (const span of traceMessages(m.tracing, 'orders', records)) span.end();
    expect(m.spans()).toHaveLength(0);
    expect(records[0]).toMatchObject({ headers: { traceparent: expect.stringMatching(/-00$/) } });
  });
});
