import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { mountRoute } from '../routes/route.ts';
import { PAGE_SECURITY_HEADERS } from './security-headers.ts';

/**
 * The files the browser may fetch, by name under /assets/. An explicit list, so tests and the
 * type-check config that live in the same folder are never served.
 */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  'admin-api.js': 'text/javascript; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'bytes.js': 'text/javascript; charset=utf-8',
  'dead-letters.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'hidden-chars.js': 'text/javascript; charset=utf-8',
  'json-paths.js': 'text/javascript; charset=utf-8',
  'letter-actions.js': 'text/javascript; charset=utf-8',
  'letter-render.js': 'text/javascript; charset=utf-8',
  'lookup.js': 'text/javascript; charset=utf-8',
  'lookup-outcome.js': 'text/javascript; charset=utf-8',
  'rate.js': 'text/javascript; charset=utf-8',
  'results.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

type PageFile = { body: Uint8Array; contentType: string; etag: string };

const ASSET_DIR = new URL('./assets/', import.meta.url);

function loadFile(name: string, contentType: string, edit?: (text: string) => string): PageFile {
  const raw = readFileSync(new URL(name, ASSET_DIR));
  const body = edit === undefined ? raw : Buffer.from(edit(raw.toString('utf8')), 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
  return { body, contentType, etag: `"${hash}"` };
}

/** Strong-validator match of an If-None-Match header (a list, or `*`). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

function respond(file: PageFile, ifNoneMatch: string | undefined): Response {
  // no-cache: revalidate every time (cheap 304), so a redeploy is seen at once without hashed names.
  const headers = {
    ...PAGE_SECURITY_HEADERS,
    'content-type': file.contentType,
    etag: file.etag,
    'cache-control': 'no-cache',
  };
  if (matchesEtag(ifNoneMatch, file.etag)) return new Response(null, { status: 304, headers });
  return new Response(file.body, { status: 200, headers });
}

export type PageOptions = {
  /**
   * SERVER_GET_ORDER_BY_ID (default true). Written into index.html for the page's script: with it
   * off, `GET /orders?id=` reads an order_uid, so the page asks every text as `?uid=` and offers no
   * numeric-id lookup.
   */
  getOrderById?: boolean;
};

const ID_LOOKUP_META = '<meta name="orders-id-lookup" content="on" />';

/** index.html with the id-lookup setting; the marker must be there once (page-routes.test.ts). */
function withIdLookup(html: string, getOrderById: boolean): string {
  const at = html.indexOf(ID_LOOKUP_META);
  if (at === -1 || html.indexOf(ID_LOOKUP_META, at + 1) !== -1) {
    throw new Error(`index.html must hold ${ID_LOOKUP_META} exactly once`);
  }
  if (getOrderById) return html;
  return html.replace(ID_LOOKUP_META, ID_LOOKUP_META.replace('"on"', '"off"'));
}

/**
 * The web page: `GET /` and its static files under `/assets/`. Files are read once here (not at
 * import time) and served from memory. Headers are set per handler rather than by a `use('*')`
 * middleware, which would leak onto every API route once this sub-app is mounted at `/`.
 * Mounted like the API's routes (mountRoute): GET/HEAD only, anything else 405 with `Allow`, and a
 * fixed `route` label for the HTTP metrics. Errors go to the parent app's handler (createApp).
 */
export function createPageRoutes(options: PageOptions = {}): Hono {
  const getOrderById = options.getOrderById ?? true;
  const index = loadFile('index.html', 'text/html; charset=utf-8', (html) =>
    withIdLookup(html, getOrderById),
  );
  const assets = new Map<string, PageFile>();
  for (const [name, type] of Object.entries(ASSET_TYPES)) assets.set(name, loadFile(name, type));

  const page = new Hono();
  mountRoute(page, {
    path: '/',
    handler: (c) => respond(index, c.req.header('if-none-match')),
  });
  mountRoute(page, {
    path: '/assets/:name',
    handler: (c) => {
      const file = assets.get(c.req.param('name') ?? '');
      if (file === undefined) return c.notFound();
      return respond(file, c.req.header('if-none-match'));
    },
  });
  return page;
}
