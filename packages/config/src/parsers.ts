import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * A parser turns one raw (non-empty) environment value into a typed value, or says what it
 * expected. `expected` is shown to the operator as is: "DB_PORT: expected <expected>, got …".
 */
export type Parser<T> = {
  readonly expected: string;
  parse(raw: string): ParseResult<T>;
};

/** `expected` on failure overrides the parser's general text with a more precise one. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; expected?: string };

function fromSchema<T>(expected: string, schema: z.ZodType<T, string>): Parser<T> {
  return {
    expected,
    parse(raw) {
      const result = schema.safeParse(raw);
      return result.success ? { ok: true, value: result.data } : { ok: false };
    },
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function integer(min: number, max: number): Parser<number> {
  // Digits only: rejects '-1', '1.5', '1e3', '0x10', ' 12', which Number() would accept.
  return fromSchema(
    `an integer from ${fmt(min)} to ${fmt(max)}`,
    z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max)),
  );
}

export const port: Parser<number> = integer(1, 65535);

export const boolean: Parser<boolean> = fromSchema(
  '1, 0, true or false',
  z.stringbool({ truthy: ['1', 'true'], falsy: ['0', 'false'], case: 'insensitive' }),
);

export function oneOf<const T extends string>(values: readonly [T, ...T[]]): Parser<T> {
  const schema = z.enum(values);
  return {
    expected: `one of ${values.join(', ')}`,
    parse(raw) {
      const result = schema.safeParse(raw.toLowerCase());
      return result.success ? { ok: true, value: result.data } : { ok: false };
    },
  };
}

/** A ratio 0..1 written as a decimal (`0`, `0.05`, `.5`, `1`). */
export const ratio: Parser<number> = fromSchema(
  'a decimal from 0 to 1 (e.g. 0.05)',
  z
    .string()
    .regex(/^(\d+(\.\d*)?|\.\d+)$/)
    .transform(Number)
    .pipe(z.number().min(0).max(1)),
);

const BYTE_UNITS: Record<string, number> = { '': 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size in bytes: a plain integer, or with a binary unit (`512KiB`, `256MiB`, `1GiB`). */
export function bytes(min: number, max: number): Parser<number> {
  const expected = `a size from ${formatBytes(min)} to ${formatBytes(max)}: bytes, or a number with KiB, MiB or GiB (e.g. 256MiB)`;
  return {
    expected,
    parse(raw) {
      const match = /^(\d+)\s*(kib|mib|gib)?$/i.exec(raw);
      if (!match?.[1]) return { ok: false };
      const value = Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
      return Number.isSafeInteger(value) && value >= min && value <= max
        ? { ok: true, value }
        : { ok: false };
    },
  };
}

export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size}${unit}`;
  }
  return `${n} bytes`;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A duration with a mandatory unit (`14d`, `36h`, `90m`, `45s`, `500ms`), returned in
 * milliseconds. A bare number is rejected: "14" could mean days, seconds or milliseconds.
 */
export function duration(minMs: number, maxMs: number): Parser<number> {
  return {
    expected: `a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)} with a unit: d, h, m, s or ms (e.g. 14d, 36h, 90m)`,
    parse(raw) {
      const match = /^(\d+)\s*(ms|s|m|h|d)$/i.exec(raw);
      if (!match?.[1] || !match[2]) return { ok: false };
      const value = Number(match[1]) * (DURATION_UNITS[match[2].toLowerCase()] ?? Number.NaN);
      return Number.isSafeInteger(value) && value >= minMs && value <= maxMs
        ? { ok: true, value }
        : { ok: false };
    },
  };
}

export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_UNITS[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function noControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** Free text without control characters (a pasted newline is a mistake, not a value). */
export function text(maxLength: number): Parser<string> {
  return fromSchema(
    `text of 1 to ${fmt(maxLength)} characters without control characters`,
    z.string().min(1).max(maxLength).refine(noControlCharacters),
  );
}

/** An http:// or https:// URL with a host and no query or fragment (a base URL to append to). */
export const httpBaseUrl: Parser<string> = {
  expected: 'an http:// or https:// URL with a host and no query, e.g. http://127.0.0.1:4318',
  parse(raw) {
    if (!URL.canParse(raw) || !noControlCharacters(raw)) return { ok: false };
    const url = new URL(raw);
    const ok =
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.search === '' &&
      url.hash === '';
    return ok ? { ok: true, value: raw } : { ok: false };
  },
};

/** Secrets are taken verbatim (no trimming upstream either): any non-empty string. */
export const secret: Parser<string> = {
  expected: 'a non-empty value',
  parse: (raw) => ({ ok: true, value: raw }),
};

/** Kafka's own rule for topic names. */
export const topicName: Parser<string> = fromSchema(
  "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ - (not '.' or '..')",
  z
    .string()
    .regex(/^[a-zA-Z0-9._-]{1,249}$/)
    .refine((s) => s !== '.' && s !== '..'),
);

const HOSTNAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

export const isHostname = (s: string) => HOSTNAME.test(s);

/** A host name or IP address to connect to or bind to. */
export const host: Parser<string> = {
  expected: 'a host name or an IP address',
  parse: (raw) => (isHostname(raw) || isIP(raw) !== 0 ? { ok: true, value: raw } : { ok: false }),
};

/** PostgreSQL also accepts the directory of a Unix socket (e.g. /var/run/postgresql). */
export const postgresHost: Parser<string> = {
  expected: 'a host name, an IP address or the absolute path of a Unix socket directory',
  parse: (raw) => (raw.startsWith('/') ? { ok: true, value: raw } : host.parse(raw)),
};

/**
 * One broker of KAFKA_BROKERS, `host:port` (a host name or an IPv4 address: IPv6 literals are
 * refused because kafkajs splits broker strings on ':'), or undefined when it is not one.
 */
export function parseBrokerAddress(entry: string): { host: string; port: number } | undefined {
  const match = /^([^:]+):(\d+)$/.exec(entry);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  if (!isHostname(match[1]) && isIP(match[1]) !== 4) return undefined;
  const parsed = port.parse(match[2]);
  return parsed.ok ? { host: match[1], port: parsed.value } : undefined;
}

/** `host:port,host:port`, each entry as parseBrokerAddress reads it. */
export const brokerList: Parser<string[]> = {
  expected: 'a comma-separated list of host:port (host name or IPv4 address, port 1 to 65535)',
  parse(raw) {
    const entries = raw.split(',').map((s) => s.trim());
    for (const entry of entries) {
      if (parseBrokerAddress(entry) === undefined) {
        return {
          ok: false,
          expected: `${brokerList.expected}; "${entry}" is not one`,
        };
      }
    }
    return { ok: true, value: entries };
  },
};

export const filePath: Parser<string> = fromSchema(
  'a file path',
  // A path with a newline in it is a paste error.
  z.string().min(1).refine(noControlCharacters),
);

/** A PEM block given inline, or the path of a file holding it (read later by the app). */
export type PemSource = { pem: string } | { path: string };

export const pemOrPath: Parser<PemSource> = {
  expected: 'a file path, or PEM text from -----BEGIN to -----END',
  parse(raw) {
    if (raw.trimStart().startsWith('-----BEGIN ')) {
      // dotenv and some platforms store PEM with literal \n; accept both forms.
      const pem = raw.includes('\n') ? raw : raw.replaceAll('\\n', '\n');
      return /-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----\s*$/.test(pem)
        ? { ok: true, value: { pem } }
        : { ok: false, expected: 'complete PEM text from -----BEGIN … to -----END …-----' };
    }
    const path = filePath.parse(raw);
    return path.ok ? { ok: true, value: { path: path.value } } : { ok: false };
  },
};
