import { createOrderStore } from '@orders/store';
import { noopTracing } from '@orders/tracing';
import { createMemoryTracing } from '@orders/tracing/testing';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from './api-metrics.ts';
import { createApp } from './app.ts';
import type { ApiDeps } from './deps.ts';
import { createFakeReader } from './test/fake-reader.ts';
import { storedOrder } from './test/orders.ts';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function app(tracing: ApiDeps['tracing']) {
  const store = createOrderStore({ maxOrders: 10, maxBytes: Infinity, maxAgeMs: Infinity });
  store.put(storedOrder(1, 'order-1'));
  return createApp(
    {
      store,
      reader: createFakeReader(),
      readiness: () => ({ ready: true, reasons: [] }),
      metrics: createApiMetrics(),
      getOrderById: true,
      ...(tracing ? { tracing } : {}),
    },
    { page: false },
  );
}

describe('request spans', () => {
  it('a server span per request, continuing the incoming traceparent, named by route', async () => {
    const m = createMemoryTracing();
    const res = await app(m.tracing).request('/orders/order-1', {
      headers: { traceparent: PARENT },
    });
    expect(res.status).toBe(200);
    const [span] = m.spans();
    expect(span).toMatchObject({
      name: 'GET /orders/:order_uid',
      kind: 'server',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      status: 'unset',
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:order_uid',
        'url.path': '/orders/order-1',
        'http.response.status_code': 200,
      },
    });
  });

  it('a new trace without traceparent; a 404 is named unmatched, not by its raw path', async () => {
    const m = createMemoryTracing();
    const res = await app(m.tracing).request('/no/such/path');
    expect(res.status).toBe(404);
    expect(m.spans()[0]).toMatchObject({
      name: 'GET unmatched',
      parentSpanId: undefined,
      attributes: { 'http.response.status_code': 404 },
    });
  });

  it('tracing off: createApp installs nothing around fetch', () => {
    const plain = app(undefined);
    const off = app(noopTracing);
    expect(off.fetch.toString()).toBe(plain.fetch.toString());
  });
});
