// @orders/tracing: the only importer of @opentelemetry/*. With no OTLP endpoint configured,
// createTracing returns the no-op without importing the SDK (sdk.ts is loaded on demand), so the
// hot paths pay at most a property read.
import { noopTracing } from './noop.ts';
import type { Tracing, TracingOptions } from './types.ts';

export { type HeaderValue, TRACEPARENT, TRACESTATE, traceparentOf } from './headers.ts';
export { NOOP_SPAN, noopTracing } from './noop.ts';
export type {
  SamplerName,
  SpanAttributes,
  SpanKindName,
  StartOptions,
  TraceSpan,
  Tracing,
  TracingOptions,
} from './types.ts';

/**
 * The process's tracing: the no-op when `options.endpoint` is unset, else the OpenTelemetry SDK
 * exporting over OTLP/HTTP to `<endpoint>/v1/traces` in batches. `serviceName` is the default of
 * OTEL_SERVICE_NAME. The caller owns it: shutdown() at stop flushes what is buffered.
 */
export async function createTracing(
  options: TracingOptions,
  serviceName: string,
): Promise<Tracing> {
  if (options.endpoint === undefined) return noopTracing;
  const { createSdkTracing, otlpExporter } = await import('./sdk.ts');
  return createSdkTracing(options, serviceName, {
    exporter: otlpExporter(options.endpoint),
    batch: true,
  });
}
