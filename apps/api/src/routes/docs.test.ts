import { describe, expect, it } from 'vitest';
import { routeApp } from '../test/route-app.ts';
import { docsRoute } from './docs.ts';

describe('GET /docs', () => {
  it('renders a self-contained HTML docs page', async () => {
    const { app } = routeApp(docsRoute(true));
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('GET /orders/{order_uid}');
    expect(html).toContain('delivery_service');
    expect(html).toContain('<code>^[A-Za-z0-9_-]*$</code>');
    expect(html).toContain('GET /dead-letters/{id}');
    expect(html).toContain('<strong>Authorization:</strong> <code>bearer</code> (adminToken)');
    expect(html).not.toMatch(/<script|https?:\/\/(?!json-schema)/i);
  });
});
