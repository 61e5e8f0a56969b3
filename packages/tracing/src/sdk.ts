// The OpenTelemetry SDK behind Tracing: a tracer provider with the configured sampler, a
// resource naming the service, and an exporter (OTLP/HTTP in production, in memory in tests).
// Loaded only through a dynamic import, when tracing is on.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { parseTraceParent, TraceState } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { KINDS, SdkSpan } from './sdk-span.ts';
import type { SamplerName, StartOptions, TraceSpan, Tracing, TracingOptions } from './types.ts';

/** A batch of N messages carries N links; the SDK's default limit (128) would drop the rest. */
export const LINK_LIMIT = 100_000;

export function createSampler(name: SamplerName, ratio: number): Sampler {
  const byRatio = () => new TraceIdRatioBasedSampler(ratio);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return byRatio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: byRatio() });
  }
}

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: traces go to its /v1/traces (the spec's rule). */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

export function otlpExporter(endpoint: string): SpanExporter {
  return new OTLPTraceExporter({ url: tracesUrl(endpoint), timeoutMillis: 5_000 });
}

export type SdkTracingDeps = {
  exporter: SpanExporter;
  /** BatchSpanProcessor (production) rather than SimpleSpanProcessor (tests: one export per span) */
  batch: boolean;
};

export function createSdkTracing(
  options: TracingOptions,
  defaultServiceName: string,
  deps: SdkTracingDeps,
): Tracing {
  const provider = new TracerProvider({
    sampler: createSampler(options.sampler, options.samplerArg),
    resource: defaultResource().merge(
      resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? defaultServiceName }),
    ),
    spanLimits: { linkCountLimit: LINK_LIMIT },
    spanProcessors: [
      deps.batch
        ? new BatchSpanProcessor({ exporter: deps.exporter })
        : new SimpleSpanProcessor({ exporter: deps.exporter }),
    ],
  });
  const tracer = provider.getTracer('@orders/tracing');
  const active = new AsyncLocalStorage<TraceSpan>();

  function parentContext(o: StartOptions | undefined) {
    const parent = o?.parent === undefined ? null : parseTraceParent(o.parent);
    if (!parent) return ROOT_CONTEXT;
    if (o?.parentState) parent.traceState = new TraceState(o.parentState);
    return trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true });
  }

  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    start(name, o) {
      const context = parentContext(o);
      const span = tracer.startSpan(
        name,
        {
          kind: KINDS[o?.kind ?? 'internal'],
          ...(o?.attributes ? { attributes: o.attributes } : {}),
        },
        context,
      );
      return new SdkSpan(span, tracer, context);
    },
    run: (span, fn) => active.run(span, fn),
    current: () => active.getStore(),
    flush: () => provider.forceFlush(),
    shutdown(deadlineMs = 3_000) {
      // an unreachable collector must not hold the process's stop past its deadline
      stopped ??= new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadlineMs);
        timer.unref();
        provider.shutdown().then(
          () => resolve(),
          () => resolve(),
        );
      });
      return stopped;
    },
  };
}
