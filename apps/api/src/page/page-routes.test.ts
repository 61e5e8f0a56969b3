import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPageRoutes } from './page-routes.ts';
import { createPageTestApp } from './test/page-app.ts';

const page = createPageRoutes();

/** Asset names the browser will ask for: those in index.html and the JS modules' imports. */
async function referencedAssets(): Promise<Set<string>> {
  const html = await (await page.request('/')).text();
  const names = new Set(
    [...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1] ?? ''),
  );
  const pending = [...names].filter((name) => name.endsWith('.js'));
  while (pending.length > 0) {
    const js = await (await page.request(`/assets/${pending.pop()}`)).text();
    for (const match of js.matchAll(/from '\.\/([^']+)'/g)) {
      const name = match[1];
      if (name !== undefined && !names.has(name)) {
        names.add(name);
        pending.push(name);
      }
    }
  }
  return names;
}

describe('GET /', () => {
  it('serves the page as HTML with no inline script', async () => {
    const res = await page.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<form id="lookup-form"');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/assets\//);
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('sends a strict Content-Security-Policy and the hardening headers', async () => {
    const res = await page.request('/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers HEAD without a body', async () => {
    const res = await page.request('/', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await page.request('/');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await page.request('/', { headers: { 'if-none-match': `"other", ${etag}` } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await page.request('/', { headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
  });
});

describe('the id-lookup setting in the page (SERVER_GET_ORDER_BY_ID)', () => {
  const meta = (html: string) =>
    [...html.matchAll(/<meta name="orders-id-lookup" content="([^"]*)" \/>/g)].map((m) => m[1]);

  it('tells the page whether ?id= is the numeric id, once, and versions the page by it', async () => {
    const on = await page.request('/');
    const off = await createPageRoutes({ getOrderById: false }).request('/');
    expect(meta(await on.text())).toEqual(['on']);
    expect(meta(await off.text())).toEqual(['off']);
    expect(off.headers.get('etag')).not.toBe(on.headers.get('etag'));
  });

  it('is set from createApp deps.getOrderById', async () => {
    for (const getOrderById of [true, false]) {
      const { app } = createPageTestApp({ getOrderById });
      const html = await (await app.request('/')).text();
      expect(meta(html)).toEqual([getOrderById ? 'on' : 'off']);
    }
  });
});

describe('GET /assets/:name', () => {
  it('serves every file the page references, with its content type and headers', async () => {
    const names = await referencedAssets();
    expect(names).toContain('app.js');
    expect(names).toContain('styles.css');
    expect(names).toContain('render.js');
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      svg: 'image/svg+xml',
    };
    for (const name of names) {
      const res = await page.request(`/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(
        types[name.slice(name.lastIndexOf('.') + 1)],
      );
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(res.headers.get('cache-control'), name).toBe('no-cache');
    }
  });

  it('serves every browser file in the folder (none forgotten in the list)', async () => {
    const folder = new URL('./assets/', import.meta.url);
    const browserFiles = readdirSync(folder).filter(
      (name) => !name.endsWith('.test.js') && name !== 'tsconfig.json' && name !== 'index.html',
    );
    expect(browserFiles.length).toBeGreaterThan(5);
    for (const name of browserFiles) {
      expect((await page.request(`/assets/${name}`)).status, name).toBe(200);
    }
  });

  it('serves nothing outside its list: tests, config, other paths', async () => {
    for (const path of [
      '/assets/lookup.test.js',
      '/assets/tsconfig.json',
      '/assets/index.html',
      '/assets/missing.js',
      '/assets/..%2Fpage-routes.ts',
      '/assets/../page-routes.ts',
      '/assets/',
      '/index.html',
    ]) {
      expect((await page.request(path)).status, path).toBe(404);
    }
  });
});

describe('mounted in the API app (createApp)', () => {
  const { app } = createPageTestApp();

  it('leaves the headers of the API routes alone', async () => {
    const api = await app.request('/orders/recent');
    expect(api.status).toBe(200);
    expect(api.headers.get('content-security-policy')).toBeNull();
    const home = await app.request('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('answers an unknown asset with the API 404 and a wrong method with 405', async () => {
    const missing = await app.request('/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

    for (const path of ['/', '/assets/app.js']) {
      const post = await app.request(path, { method: 'POST' });
      expect(post.status, path).toBe(405);
      expect(post.headers.get('allow'), path).toBe('GET, HEAD');
      expect(await post.json(), path).toMatchObject({ error: { code: 'method_not_allowed' } });
    }
  });

  it('labels page requests by route pattern in the HTTP metrics, never by file name', async () => {
    await app.request('/');
    await app.request('/assets/app.js');
    await app.request('/assets/styles.css');
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{route="\/",status="200"\} [1-9]/);
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{route="\/assets\/:name",status="200"\} [2-9]/,
    );
    expect(metrics).not.toContain('app.js');
  });
});
