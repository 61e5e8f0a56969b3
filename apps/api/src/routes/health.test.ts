import { describe, expect, it } from 'vitest';
import { routeApp } from '../test/route-app.ts';
import { healthzRoute, readyzRoute } from './health.ts';

describe('GET /healthz', () => {
  it('is 200', async () => {
    const { app } = routeApp(healthzRoute());
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('is 503 with the reasons until ready, then 200', async () => {
    const readiness = { ready: false, reasons: [] as string[] };
    const { app } = routeApp(readyzRoute(() => readiness));
    readiness.reasons = ['memory not restored', 'consumer has not joined its group'];
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not_ready',
      reasons: ['memory not restored', 'consumer has not joined its group'],
    });
    readiness.ready = true;
    readiness.reasons = [];
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });
  });

  it('is 503 when the readiness check itself throws', async () => {
    const { app } = routeApp(
      readyzRoute(() => {
        throw new Error('boom');
      }),
    );
    const res = await app.request('/readyz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'not_ready', reasons: ['readiness check failed'] });
  });
});
