import { noControlCharacters, type Parser } from './parsers.ts';

export const POSTGRES_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type PostgresSslMode = (typeof POSTGRES_SSL_MODES)[number];

const MASK = '***';
// pg accepts the password as a query parameter too (and sslpassword for an encrypted client key).
const SECRET_PARAMS = new Set(['password', 'sslpassword']);
// The parameters of libpq and pg, shown as they are; any other one is masked, name and value: an
// unencoded & in a password (`password=pa&ss`) would otherwise show its end as a parameter.
const KNOWN_PARAMS = new Set(
  `host hostaddr port dbname db user passfile require_auth channel_binding connect_timeout
  client_encoding encoding options application_name fallback_application_name keepalives
  keepalives_idle keepalives_interval keepalives_count tcp_user_timeout replication gssencmode
  sslmode requiressl sslnegotiation sslcompression sslcert sslkey sslcertmode sslrootcert sslcrl
  sslcrldir sslsni requirepeer ssl_min_protocol_version ssl_max_protocol_version krbsrvname gsslib
  gssdelegation service target_session_attrs load_balance_hosts ssl uselibpqcompat
  statement_timeout query_timeout lock_timeout idle_in_transaction_session_timeout`.split(/\s+/),
);
// WHATWG URL refuses an empty host after credentials (`postgres://u:p@/db?host=/socket`), which
// libpq and pg accept; parse those with a placeholder host, as pg-connection-string does.
const PLACEHOLDER_HOST = 'placeholder.invalid';

function parseUrl(raw: string): URL | undefined {
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

export type PostgresUrlShape = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * A DATABASE_URL as pg will read it, or what is wrong with its shape. The problem never quotes the
 * value: a malformed URL may hold its password anywhere (or be a bare password pasted by mistake).
 */
export function readPostgresUrl(raw: string): PostgresUrlShape {
  const problem = shapeProblem(raw);
  if (problem) return { ok: false, problem };
  const url = parseUrl(raw);
  if (!url) {
    return {
      ok: false,
      problem:
        'is not a valid URL (check host and port; percent-encode / and ? in user name and password)',
    };
  }
  if (urlHost(url) === '') return { ok: false, problem: 'has no host' };
  // `u:123/pw@h/db` and `u:123?pw@h/db` parse with host u and the rest of the password after it.
  if (`${url.pathname}${url.search}`.includes('@')) {
    return { ok: false, problem: 'has an @ after the host (percent-encode @ as %40)' };
  }
  return { ok: true, url };
}

/** What the text alone shows to be wrong, before any parsing. */
function shapeProblem(raw: string): string | undefined {
  if (raw !== raw.trim()) return 'has white space at its start or end';
  if (!/^postgres(ql)?:\/\//i.test(raw)) return 'does not start with postgres:// or postgresql://';
  // WHATWG URL silently drops tabs and newlines: pg would send another password than the one given.
  if (!noControlCharacters(raw)) return 'contains a control character (e.g. a newline)';
  // A # would end the URL: it is far more often an unencoded character of the password.
  if (raw.includes('#')) return 'contains # (percent-encode it as %23)';
  // decodeURIComponent (describeUrl's and pg's) throws on these.
  if (/%(?![0-9a-f]{2})/i.test(raw)) {
    return 'has a % not followed by two hex digits (write % as %25)';
  }
  return undefined;
}

const EXPECTED =
  'a postgres:// or postgresql:// URL with a host, e.g. postgres://user:password@host:5432/db (percent-encode special characters)';

/** A validated DATABASE_URL. */
export const postgresUrl: Parser<URL> = {
  expected: EXPECTED,
  parse(raw) {
    const read = readPostgresUrl(raw);
    if (!read.ok) return { ok: false, expected: `${EXPECTED}; the value ${read.problem}` };
    const sslmode = read.url.searchParams.get('sslmode');
    if (sslmode !== null && !(POSTGRES_SSL_MODES as readonly string[]).includes(sslmode)) {
      return {
        ok: false,
        expected: `sslmode in the URL to be one of ${POSTGRES_SSL_MODES.join(', ')}`,
      };
    }
    return { ok: true, value: read.url };
  },
};

/**
 * The URL with its password (userinfo and query parameters) replaced by ***, for messages and logs;
 * just *** when it is not a URL readPostgresUrl accepts, since its password could be anywhere.
 */
export function maskPostgresUrl(raw: string): string {
  const read = readPostgresUrl(raw);
  if (!read.ok) return MASK;
  const { url } = read;
  if (url.password) url.password = MASK;
  const params = [...url.searchParams];
  // pg reads only lower-case names; any case is masked all the same.
  const shown = params.map(([name, value]): [string, string] => {
    const lower = name.toLowerCase();
    if (SECRET_PARAMS.has(lower)) return [name, MASK];
    return KNOWN_PARAMS.has(lower) ? [name, value] : [MASK, MASK];
  });
  // Rewritten only when something is masked, so that the rest keeps its spelling.
  if (shown.some(([name, value], i) => name !== params[i]?.[0] || value !== params[i]?.[1])) {
    url.search = new URLSearchParams(shown).toString();
  }
  return url.href.replace(`@${PLACEHOLDER_HOST}/`, '@/').replaceAll('%2A%2A%2A', MASK);
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

/**
 * The connection string loadConfig builds from the POSTGRES_ and DB_ variables (before any TLS
 * parameter), for tools that connect as the configured role to its database or another one.
 */
export function postgresConnectionString(parts: PostgresParts): string {
  return toConnectionString(partsToUrl(parts));
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
