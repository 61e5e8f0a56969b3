import { orderJsonSchema } from '@orders/model';
import { describe, expect, it } from 'vitest';
import { routeApp } from '../test/route-app.ts';
import { openApiRoute } from './openapi.ts';

/** The value at a path inside parsed JSON, or undefined. */
function dig(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

describe('GET /openapi.json', () => {
  it('serves OpenAPI 3.1 with the model schema, and every $ref resolves', async () => {
    const { app } = routeApp(openApiRoute(true));
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc: unknown = await res.json();
    expect(dig(doc, 'openapi')).toBe('3.1.0');
    const { $schema: _schema, ...modelSchema } = orderJsonSchema as Record<string, unknown>;
    expect(dig(doc, 'components', 'schemas', 'Order')).toEqual(
      JSON.parse(JSON.stringify(modelSchema)),
    );
    for (const path of [
      '/orders/{order_uid}',
      '/orders',
      '/orders/recent',
      '/orders/search',
      '/stats',
      '/healthz',
      '/readyz',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/dead-letters',
      '/dead-letters/summary',
      '/dead-letters/{id}',
    ]) {
      expect(dig(doc, 'paths', path, 'get'), path).toBeDefined();
    }
    const refs: string[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') refs.push(child);
          else walk(child);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      const parts = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
      expect(dig(doc, ...parts), ref).toBeDefined();
    }
  });

  it('describes the admin routes: bearer security, 401, and the letter schemas', async () => {
    const doc = await (await routeApp(openApiRoute(true)).app.request('/openapi.json')).json();
    expect(dig(doc, 'components', 'securitySchemes', 'adminToken')).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const paths = dig(doc, 'paths') as Record<string, Record<string, unknown>>;
    const admin = Object.keys(paths).filter((p) => p.startsWith('/dead-letters'));
    expect(admin).toHaveLength(8); // the read routes and the redrive routes
    for (const path of admin) {
      for (const [method, op] of Object.entries(paths[path] ?? {})) {
        expect(dig(op, 'security'), `${method} ${path}`).toEqual([{ adminToken: [] }]);
        for (const status of ['400', '401', '404', '503']) {
          expect(dig(op, 'responses', status), `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
    // the public routes need no token
    expect(dig(doc, 'paths', '/orders/{order_uid}', 'get', 'security')).toBeUndefined();
    const letter = dig(doc, 'components', 'schemas', 'DeadLetter', 'required');
    expect(letter).toEqual([
      'id',
      'reason',
      'problems',
      'source',
      'key',
      'uid',
      'value',
      'size',
      'truncated',
      'stored_at',
      'redrives',
    ]);
    expect(dig(doc, 'components', 'schemas', 'DeadLetterDetail', 'required')).toContain(
      'would_pass_now',
    );
    expect(
      dig(
        doc,
        'components',
        'schemas',
        'Error',
        'properties',
        'error',
        'properties',
        'code',
        'enum',
      ),
    ).toContain('unauthorized');
    expect(dig(doc, 'components', 'responses', '401', 'headers')).toHaveProperty(
      'WWW-Authenticate',
    );
  });

  it('describes ?id= according to SERVER_GET_ORDER_BY_ID', async () => {
    const idParam = async (getOrderById: boolean) => {
      const res = await routeApp(openApiRoute(getOrderById)).app.request('/openapi.json');
      return dig(await res.json(), 'paths', '/orders', 'get', 'parameters', 0, 'schema');
    };
    expect(await idParam(true)).toMatchObject({ type: 'integer', minimum: 1 });
    expect(await idParam(false)).toMatchObject({ type: 'string', maxLength: 64 });
  });
});
