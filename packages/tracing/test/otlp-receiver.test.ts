import { describe, expect, it } from 'vitest';
import { createTracing } from '../src/index.ts';
import { startOtlpReceiver } from './otlp-receiver.ts';

describe('startOtlpReceiver', () => {
  it('receives what the OTLP/HTTP exporter sends: ids, parent, links, attributes, service', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const tracing = await createTracing(
        {
          endpoint: receiver.endpoint,
          sampler: 'always_on',
          samplerArg: 1,
          serviceName: undefined,
        },
        'orders-test',
      );
      const producer = tracing.start('send', { kind: 'producer' });
      producer.end();
      const batch = tracing.start('batch', { kind: 'consumer', attributes: { n: 1 } });
      batch.link(producer.traceparent());
      batch.child('write').end();
      batch.end();
      await tracing.shutdown();
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(['batch', 'send', 'write']);
      const byName = new Map(receiver.spans.map((s) => [s.name, s]));
      const send = byName.get('send');
      const b = byName.get('batch');
      expect(b?.links).toEqual([{ traceId: send?.traceId, spanId: send?.spanId }]);
      expect(b).toMatchObject({ kind: 5, attributes: { n: 1 }, serviceName: 'orders-test' });
      expect(byName.get('write')?.parentSpanId).toBe(b?.spanId);
    } finally {
      await receiver.close();
    }
  });
});
