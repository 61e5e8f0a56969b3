import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

describe('tracing variables', () => {
  it('the OpenTelemetry names: endpoint, sampler, ratio, service name', () => {
    const loaded = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      OTEL_SERVICE_NAME: 'orders-eu',
    });
    expect(loaded.ok && loaded.config.tracing).toEqual({
      endpoint: 'http://127.0.0.1:4318',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.01,
      serviceName: 'orders-eu',
    });
  });

  it('bad values are reported with the variable named', () => {
    const loaded = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    });
    expect(loaded.ok).toBe(false);
    const message = loaded.ok ? '' : loaded.error.message;
    expect(message).toContain(
      'OTEL_EXPORTER_OTLP_ENDPOINT: expected an http:// or https:// URL with a host',
    );
    expect(message).toContain('OTEL_TRACES_SAMPLER: expected one of always_on');
    expect(message).toContain('OTEL_TRACES_SAMPLER_ARG: expected a decimal from 0 to 1');
  });

  it.each(['ftp://c:21', 'http://c:4318/?x=1', 'http://c:4318/#a', 'http://'])(
    'refuses %s as an endpoint',
    (endpoint) => {
      expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).ok).toBe(false);
    },
  );
});
