// The page's calls to the admin API (`/dead-letters…`), with the operator's token as a bearer
// header (never in a URL). Every outcome is a value, so the view is one switch over `kind`:
// `off` is a 404 of a route that always exists when the admin API is on (ADMIN_TOKENS unset),
// `unauthorized` a 401 (no token, or a wrong one).

/**
 * @typedef {{ path: string, code: string, message: string }} Problem
 * @typedef {{ kind: 'ok', status: number, body: Record<string, unknown> }
 *   | { kind: 'off' }
 *   | { kind: 'unauthorized' }
 *   | { kind: 'not_found', message: string }
 *   | { kind: 'refused', status: number, code: string, message: string, problems: Problem[] }
 *   | { kind: 'server_error', message: string }
 *   | { kind: 'unreachable', message: string }} AdminResult
 */

const TIMEOUT_MS = 10_000;

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Problems from a 422 body, wherever the route put them (beside the error or inside it).
 * @param {Record<string, unknown>} body
 * @returns {Problem[]}
 */
function problemsOf(body) {
  const error = isObject(body.error) ? body.error : {};
  const list = Array.isArray(error.problems) ? error.problems : body.problems;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((p) => ({
    path: typeof p.path === 'string' ? p.path : '',
    code: typeof p.code === 'string' ? p.code : '',
    message: typeof p.message === 'string' ? p.message : '',
  }));
}

/**
 * @param {() => string | null} token the operator's token, read at each call
 */
export function createAdminApi(token) {
  /**
   * @param {'GET' | 'POST'} method
   * @param {string} path
   * @param {{ body?: unknown, offWhenMissing?: boolean }} [options]
   * @returns {Promise<AdminResult>}
   */
  async function call(method, path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const secret = token();
    if (secret !== null) headers.authorization = `Bearer ${secret}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    /** @type {Response} */
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
        credentials: 'omit',
        redirect: 'error', // a redirect would carry the token elsewhere
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return {
        kind: 'unreachable',
        message: timedOut ? 'The server did not answer in time.' : 'The server cannot be reached.',
      };
    }
    /** @type {Record<string, unknown>} */
    let body = {};
    try {
      const parsed = await response.json();
      if (isObject(parsed)) body = parsed;
    } catch {
      // not JSON: the status decides
    }
    const error = isObject(body.error) ? body.error : {};
    const message =
      typeof error.message === 'string' && error.message !== ''
        ? error.message
        : `HTTP ${response.status}`;
    if (response.status === 401) return { kind: 'unauthorized' };
    if (response.status === 404) {
      return options.offWhenMissing ? { kind: 'off' } : { kind: 'not_found', message };
    }
    if (response.status >= 400 && response.status < 500) {
      const code = typeof error.code === 'string' ? error.code : String(response.status);
      return {
        kind: 'refused',
        status: response.status,
        code,
        message,
        problems: problemsOf(body),
      };
    }
    if (!response.ok) return { kind: 'server_error', message };
    return { kind: 'ok', status: response.status, body };
  }

  return {
    summary: () => call('GET', '/dead-letters/summary', { offWhenMissing: true }),
    /** @param {URLSearchParams} query */
    list: (query) => call('GET', `/dead-letters?${query}`, { offWhenMissing: true }),
    /** @param {number} id */
    letter: (id) => call('GET', `/dead-letters/${id}`),
    /** @param {Record<string, unknown>} body `{ ids }` or `{ filter }`, `dry_run`, `again` */
    redrive: (body) => call('POST', '/dead-letters/redrive', { body }),
    /** @param {number} id @param {Record<string, unknown>} body `{ value, dry_run }` */
    edit: (id, body) => call('POST', `/dead-letters/${id}/redrive`, { body }),
    /** @param {number} run */
    run: (run) => call('GET', `/dead-letters/redrives/${run}`),
  };
}

/** @typedef {ReturnType<typeof createAdminApi>} AdminApi */

const TOKEN_KEY = 'orders.adminToken';
/** @type {string | null} where the token lives when the browser refuses sessionStorage */
let inMemory = null;

/**
 * The token for this tab only: sessionStorage (gone with the tab, never shared with other tabs
 * or written to disk for good like localStorage), never a cookie or the address.
 * @returns {{ read(): string | null, save(token: string): void, forget(): void }}
 */
export function tabToken() {
  return {
    read() {
      try {
        return sessionStorage.getItem(TOKEN_KEY) ?? inMemory;
      } catch {
        return inMemory;
      }
    },
    save(token) {
      inMemory = token;
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        // storage refused (a privacy mode): the token lasts until the page is left
      }
    },
    forget() {
      inMemory = null;
      try {
        sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        // nothing stored
      }
    },
  };
}
