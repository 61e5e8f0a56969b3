import type { Parser } from './parsers.ts';

export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

const MASK = '***';
// pg accepts the password as a query parameter too (and sslpassword for an encrypted client key).
const SECRET_PARAMS = ['password', 'sslpassword'];
// WHATWG URL refuses an empty host after credentials (`postgres://u:p@/db?host=/socket`), which
// libpq and pg accept; parse those with a placeholder host, as pg-connection-string does.
const PLACEHOLDER_HOST = 'placeholder.invalid';

function parseUrl(raw: string): URL | undefined {
  if (!/^postgres(ql)?:\/\//i.test(raw)) return undefined;
  try {
    return new URL(raw);
  } catch {
    try {
      const url = new URL(raw.replace('@/', `@${PLACEHOLDER_HOST}/`));
      return url.hostname === PLACEHOLDER_HOST ? url : undefined;
    } catch {
      return undefined;
    }
  }
}

function urlHost(url: URL): string {
  const param = url.searchParams.get('host');
  if (param) return param;
  return url.hostname === PLACEHOLDER_HOST ? '' : url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** A validated DATABASE_URL. */
export const postgresUrl: Parser<URL> = {
  expected:
    'a postgres:// or postgresql:// URL with a host, e.g. postgres://user:password@host:5432/db (percent-encode special characters)',
  parse(raw) {
    const url = parseUrl(raw);
    if (!url || urlHost(url) === '') return { ok: false };
    const sslmode = url.searchParams.get('sslmode');
    if (sslmode !== null && !(POSTGRES_SSL_MODES as readonly string[]).includes(sslmode)) {
      return {
        ok: false,
        expected: `sslmode in the URL to be one of ${POSTGRES_SSL_MODES.join(', ')}`,
      };
    }
    return { ok: true, value: url };
  },
};

/** The URL with its password (userinfo and query parameters) replaced by ***; for messages and logs. */
export function maskPostgresUrl(raw: string): string {
  const url = parseUrl(raw);
  if (url) {
    if (url.password) url.password = MASK;
    for (const name of SECRET_PARAMS)
      if (url.searchParams.has(name)) url.searchParams.set(name, MASK);
    return url.href.replace(`@${PLACEHOLDER_HOST}/`, '@/').replaceAll('%2A%2A%2A', MASK);
  }
  // Unparseable: mask whatever sits where a password would be.
  return raw
    .replace(/^([^:/]*:\/\/[^:@/]*:)[^@]*@/, `$1${MASK}@`)
    .replace(/([?&](?:ssl)?password=)[^&]*/gi, `$1${MASK}`);
}

export type PostgresParts = {
  user: string;
  password: string;
  database: string;
  host: string;
  port: number;
};

/** A connection URL from the POSTGRES_ and DB_ variables (a Unix socket directory goes in `host=`). */
export function partsToUrl(parts: PostgresParts): URL {
  const user = encodeURIComponent(parts.user);
  const password = encodeURIComponent(parts.password);
  const database = encodeURIComponent(parts.database);
  if (parts.host.startsWith('/')) {
    const url = new URL(`postgresql://${user}:${password}@${PLACEHOLDER_HOST}/${database}`);
    url.searchParams.set('host', parts.host);
    url.searchParams.set('port', String(parts.port));
    return url;
  }
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  return new URL(`postgresql://${user}:${password}@${host}:${parts.port}/${database}`);
}

export function toConnectionString(url: URL): string {
  return url.href.replace(`@${PLACEHOLDER_HOST}/`, '@/');
}

/** Host, port, database and user of a URL, for logs; the defaults are libpq's. */
export function describeUrl(url: URL): {
  host: string;
  port: number;
  database: string;
  user: string;
} {
  const user = decodeURIComponent(url.username) || (url.searchParams.get('user') ?? '');
  const port = Number(url.searchParams.get('port') || url.port || 5432);
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  return { host: urlHost(url), port, database, user };
}
