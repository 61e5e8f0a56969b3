// Tracing on the real SDK with an InMemorySpanExporter: each span is exported when it ends.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createSdkTracing } from '../src/sdk.ts';
import type { SamplerName, Tracing } from '../src/types.ts';

/** A finished span as tests read it: ids as hex, kind and status as names. */
export type FinishedSpan = {
  name: string;
  kind: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
  status: 'unset' | 'ok' | 'error';
  serviceName: unknown;
};

export type MemoryTracing = {
  tracing: Tracing;
  /** every span ended so far, in end order */
  spans(): FinishedSpan[];
  reset(): void;
};

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

export function finished(span: ReadableSpan): FinishedSpan {
  return {
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? String(span.kind),
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    attributes: { ...span.attributes },
    status: STATUS_NAMES[span.status.code] ?? 'unset',
    serviceName: span.resource.attributes['service.name'],
  };
}

export function createMemoryTracing(
  options: { sampler?: SamplerName; ratio?: number; serviceName?: string } = {},
): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const tracing = createSdkTracing(
    {
      endpoint: 'memory',
      sampler: options.sampler ?? 'parentbased_always_on',
      samplerArg: options.ratio ?? 1,
      serviceName: options.serviceName,
    },
    'orders-test',
    { exporter, batch: false },
  );
  return {
    tracing,
    spans: () => exporter.getFinishedSpans().map(finished),
    reset: () => exporter.reset(),
  };
}
