// The tracing surface the apps see. No @opentelemetry type appears here: importing the package
// (and type-checking against it) loads nothing of the SDK.

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export type SpanAttributes = Record<string, string | number | boolean>;

/** OTEL_TRACES_SAMPLER's values (the OpenTelemetry SDK environment specification). */
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** What @orders/config's `config.tracing` holds (structurally: this package reads no env). */
export type TracingOptions = {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: unset = tracing off, nothing of the SDK loaded */
  endpoint: string | undefined;
  sampler: SamplerName;
  /** the ratio of the *traceidratio samplers, 0 to 1 */
  samplerArg: number;
  /** OTEL_SERVICE_NAME; the caller's default when undefined */
  serviceName: string | undefined;
};

export type TraceSpan = {
  /** sampled: attributes, links and children are kept; false for unsampled spans and when off */
  readonly recording: boolean;
  /**
   * A child span. When this one does not record, the shared no-op: a child of an unsampled span is
   * never sampled by any of the standard samplers, so nothing is lost and nothing is allocated.
   */
  child(name: string, attributes?: SpanAttributes, kind?: SpanKindName): TraceSpan;
  setAttribute(key: string, value: string | number | boolean): void;
  rename(name: string): void;
  /** a link to the span a W3C traceparent names; a missing or malformed one is ignored */
  link(traceparent: string | undefined): void;
  /** this span's W3C traceparent (for a message header); undefined when tracing is off */
  traceparent(): string | undefined;
  /** status ERROR with the error recorded as an exception event */
  fail(err: unknown): void;
  end(): void;
};

export type StartOptions = {
  kind?: SpanKindName;
  attributes?: SpanAttributes;
  /** continue the trace of this W3C traceparent (an incoming request's); else a new trace */
  parent?: string | undefined;
  /** the tracestate that came with `parent` */
  parentState?: string | undefined;
};

export type Tracing = {
  /** false: every method is a no-op and no SDK module was loaded */
  readonly enabled: boolean;
  start(name: string, options?: StartOptions): TraceSpan;
  /** runs `fn` with `span` as the current span (for code that cannot be handed the span) */
  run<T>(span: TraceSpan, fn: () => T): T;
  /** the span of the innermost enclosing run(), if any */
  current(): TraceSpan | undefined;
  /** exports what is buffered */
  flush(): Promise<void>;
  /** flushes and stops the provider, waiting at most `deadlineMs` (default 3 s) */
  shutdown(deadlineMs?: number): Promise<void>;
};
