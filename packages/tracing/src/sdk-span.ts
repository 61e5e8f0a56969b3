// A TraceSpan over an SDK span. Children are started explicitly from this span's context (no
// context manager is registered: nothing in the process is patched or made slower).
import {
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { NOOP_SPAN } from './noop.ts';
import type { SpanAttributes, SpanKindName, TraceSpan } from './types.ts';

export const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

export class SdkSpan implements TraceSpan {
  readonly recording: boolean;
  readonly #span: Span;
  readonly #tracer: Tracer;
  readonly #parent: Context;

  constructor(span: Span, tracer: Tracer, parent: Context) {
    this.#span = span;
    this.#tracer = tracer;
    this.#parent = parent;
    this.recording = span.isRecording();
  }

  child(name: string, attributes?: SpanAttributes, kind: SpanKindName = 'internal'): TraceSpan {
    if (!this.recording) return NOOP_SPAN;
    const context = trace.setSpan(this.#parent, this.#span);
    const span = this.#tracer.startSpan(
      name,
      { kind: KINDS[kind], ...(attributes ? { attributes } : {}) },
      context,
    );
    return new SdkSpan(span, this.#tracer, context);
  }

  setAttribute(key: string, value: string | number | boolean): void {
    if (this.recording) this.#span.setAttribute(key, value);
  }

  rename(name: string): void {
    if (this.recording) this.#span.updateName(name);
  }

  link(traceparent: string | undefined): void {
    if (!this.recording || traceparent === undefined) return;
    const context = parseTraceParent(traceparent);
    if (context) this.#span.addLink({ context });
  }

  traceparent(): string {
    const c = this.#span.spanContext();
    return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & 1}`;
  }

  fail(err: unknown): void {
    if (!this.recording) return;
    const e = err instanceof Error ? err : new Error(String(err));
    this.#span.recordException(e);
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  }

  end(): void {
    this.#span.end();
  }
}
