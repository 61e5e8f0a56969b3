// OpenTelemetry tracing (@orders/tracing), under the names of the OpenTelemetry SDK environment
// specification so an operator's usual settings work; variables.ts spreads them in.
import { TRACES_SAMPLERS } from './config.ts';
import { httpBaseUrl, oneOf, ratio, text } from './parsers.ts';
import type { VariableSpec } from './variables.ts';

export const tracingVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    group: 'Tracing',
    description:
      'OTLP/HTTP collector base URL (spans go to <url>/v1/traces, JSON). Unset: tracing off, the SDK not even loaded.',
    defaultText: 'unset (tracing off)',
    parser: httpBaseUrl,
  },
  OTEL_TRACES_SAMPLER: {
    group: 'Tracing',
    description:
      'Which traces are kept: always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio.',
    default: 'parentbased_always_on',
    parser: oneOf(TRACES_SAMPLERS),
  },
  OTEL_TRACES_SAMPLER_ARG: {
    group: 'Tracing',
    description:
      'The ratio of new traces the *traceidratio samplers keep, 0 to 1 (0.01 = 1 %); ignored by the others.',
    default: '1',
    parser: ratio,
  },
  OTEL_SERVICE_NAME: {
    group: 'Tracing',
    description: "The service.name of the spans; each app's own name when unset.",
    defaultText: 'orders-ingest (ingest and its API), orders-producer (the producer)',
    parser: text(255),
  },
} as const satisfies Record<string, VariableSpec<unknown>>;
