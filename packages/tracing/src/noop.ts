// Tracing off: one shared span that does nothing, and a Tracing whose run() is a plain call.
import type { TraceSpan, Tracing } from './types.ts';

export const NOOP_SPAN: TraceSpan = {
  recording: false,
  child: () => NOOP_SPAN,
  setAttribute() {},
  rename() {},
  link() {},
  traceparent: () => undefined,
  fail() {},
  end() {},
};

export const noopTracing: Tracing = {
  enabled: false,
  start: () => NOOP_SPAN,
  run: (_span, fn) => fn(),
  current: () => undefined,
  flush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
