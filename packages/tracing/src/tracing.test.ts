import { describe, expect, it } from 'vitest';
import { createMemoryTracing } from '../test/index.ts';
import { createTracing, NOOP_SPAN, noopTracing, traceparentOf } from './index.ts';
import { tracesUrl } from './sdk.ts';

const off = { endpoint: undefined, sampler: 'parentbased_always_on', samplerArg: 1 } as const;
const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('createTracing', () => {
  it('without an endpoint is the no-op, whose spans do nothing', async () => {
    const tracing = await createTracing({ ...off, serviceName: undefined }, 'svc');
    expect(tracing).toBe(noopTracing);
    const span = tracing.start('x');
    expect(span).toBe(NOOP_SPAN);
    expect(span.child('y')).toBe(NOOP_SPAN);
    expect(span.traceparent()).toBeUndefined();
    expect(tracing.run(span, () => 42)).toBe(42);
    expect(tracing.current()).toBeUndefined();
  });

  it('with an endpoint is the SDK, exporting to <endpoint>/v1/traces', async () => {
    const tracing = await createTracing(
      { ...off, endpoint: 'http://127.0.0.1:9', serviceName: undefined },
      'svc',
    );
    expect(tracing.enabled).toBe(true);
    await tracing.shutdown(500);
    expect(tracesUrl('http://c:4318/')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/otlp')).toBe('http://c:4318/otlp/v1/traces');
  });
});

describe('SDK tracing (in-memory exporter)', () => {
  it('continues an incoming traceparent, names the service, keeps kind and status', () => {
    const m = createMemoryTracing({ serviceName: 'orders-api' });
    const span = m.tracing.start('GET', { kind: 'server', parent: PARENT });
    span.rename('GET /orders/:uid');
    span.setAttribute('http.response.status_code', 500);
    span.fail(new Error('boom'));
    span.end();
    const [s] = m.spans();
    expect(s).toMatchObject({
      name: 'GET /orders/:uid',
      kind: 'server',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      status: 'error',
      serviceName: 'orders-api',
      attributes: { 'http.response.status_code': 500 },
    });
  });

  it('links each traceparent (more than the SDK default of 128), skipping malformed ones', () => {
    const m = createMemoryTracing();
    const span = m.tracing.start('batch', { kind: 'consumer' });
    const parents = Array.from(
      { length: 300 },
      (_, i) => `00-${'1'.repeat(24)}${String(i).padStart(8, '0')}-${'2'.repeat(16)}-01`,
    );
    for (const p of parents) span.link(p);
    span.link('garbage');
    span.link(undefined);
    span.end();
    expect(m.spans()[0]?.links).toHaveLength(300);
    expect(m.spans()[0]?.links[299]?.traceId).toBe(`${'1'.repeat(24)}00000299`);
  });

  it('a child is in the parent trace; run() makes a span current for code handed none', async () => {
    const m = createMemoryTracing();
    const batch = m.tracing.start('batch');
    const write = batch.child('write', { rows: 3 }, 'client');
    const seen = await m.tracing.run(write, async () => {
      await new Promise((r) => setTimeout(r, 1));
      return m.tracing.current();
    });
    expect(seen).toBe(write);
    expect(m.tracing.current()).toBeUndefined();
    write.end();
    batch.end();
    const [w, b] = m.spans();
    expect(w?.parentSpanId).toBe(b?.spanId);
    expect(w?.traceId).toBe(b?.traceId);
    expect(w).toMatchObject({ kind: 'client', attributes: { rows: 3 } });
  });

  it('traceparent() is W3C text with the sampled flag', () => {
    const m = createMemoryTracing();
    const span = m.tracing.start('send', { kind: 'producer' });
    span.end();
    const s = m.spans()[0];
    expect(span.traceparent()).toBe(`00-${s?.traceId}-${s?.spanId}-01`);
  });

  it('sampling off: nothing exported, children are the no-op, the context still propagates', () => {
    const m = createMemoryTracing({ sampler: 'parentbased_traceidratio', ratio: 0 });
    const span = m.tracing.start('batch');
    expect(span.recording).toBe(false);
    expect(span.child('write')).toBe(NOOP_SPAN);
    expect(span.traceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    span.end();
    expect(m.spans()).toHaveLength(0);
  });

  it('a sampled parent is followed under parentbased_traceidratio even at ratio 0', () => {
    const m = createMemoryTracing({ sampler: 'parentbased_traceidratio', ratio: 0 });
    m.tracing.start('GET', { parent: PARENT }).end();
    expect(m.spans()).toHaveLength(1);
  });

  it('traceidratio at 0.01 samples about 1 % of new traces', () => {
    const m = createMemoryTracing({ sampler: 'parentbased_traceidratio', ratio: 0.01 });
    for (let i = 0; i < 20_000; i++) m.tracing.start('x').end();
    expect(m.spans().length).toBeGreaterThan(100);
    expect(m.spans().length).toBeLessThan(320);
  });
});

describe('traceparentOf', () => {
  it('reads a Buffer, a string or the first of repeated headers', () => {
    expect(traceparentOf({ traceparent: Buffer.from(PARENT) })).toBe(PARENT);
    expect(traceparentOf({ traceparent: PARENT })).toBe(PARENT);
    expect(traceparentOf({ traceparent: [Buffer.from(PARENT), 'x'] })).toBe(PARENT);
    expect(traceparentOf({})).toBeUndefined();
    expect(traceparentOf(undefined)).toBeUndefined();
  });
});
