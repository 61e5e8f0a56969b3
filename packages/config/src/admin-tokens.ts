import type { Parser } from './parsers.ts';

/** One bearer token of the admin API: its name (recorded for audit) and its secret. */
export type AdminToken = { name: string; secret: string };

/**
 * At least 16 characters: a secret is all that stands between a client and dead letters, which
 * hold data that never passed validation. 16 characters of `openssl rand -base64 12` are 96
 * random bits, beyond any guessing over HTTP; anything shorter is most likely a typed password.
 * The admin compares hashes of the secrets, so a long one costs nothing and its length leaks
 * nothing.
 */
export const ADMIN_SECRET_MIN = 16;
/** Far above any generated secret, well inside the 16 KiB of request headers Node accepts. */
export const ADMIN_SECRET_MAX = 1024;
export const ADMIN_NAME_MAX = 64;

// A name goes into logs and audit records as it is: plain ASCII, no separators of ours.
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// RFC 6750's b64token, the syntax of a Bearer credential: any secret accepted here can be sent in
// `Authorization: Bearer …` as it is, and base64, base64url and hex secrets all fit. It has no
// `,` or white space, so the list needs no quoting.
const SECRET = /^[A-Za-z0-9._~+/-]+=*$/;

const EXPECTED =
  `name=secret pairs separated by commas (e.g. ops=<secret>,ci=<secret>): names 1 to ` +
  `${ADMIN_NAME_MAX} of A-Z a-z 0-9 _ . - (starting with a letter or digit), unique; secrets ` +
  `${ADMIN_SECRET_MIN} to ${ADMIN_SECRET_MAX.toLocaleString('en-US')} of A-Z a-z 0-9 - . _ ~ + / ` +
  `(optionally ending in =), unique`;

/**
 * `ADMIN_TOKENS`. What is wrong is said by the entry's position, never by its text: an entry
 * without `=` may be a secret alone, and its "name" would then show it.
 */
export const adminTokens: Parser<AdminToken[]> = {
  expected: EXPECTED,
  parse(raw) {
    const tokens: AdminToken[] = [];
    const names = new Map<string, number>();
    const secrets = new Map<string, number>();
    const fail = (detail: string) => ({ ok: false as const, expected: `${EXPECTED}; ${detail}` });
    // white space around an entry is not part of it (a name or a secret cannot hold any): a list
    // written `ops=…, ci=…` or read from a file with its final newline means what it says
    const entries = raw.split(',').map((entry) => entry.trim());
    for (const [i, entry] of entries.entries()) {
      const at = `entry ${i + 1}`;
      if (entry === '') return fail(`${at} is empty`);
      const eq = entry.indexOf('=');
      if (eq === -1) return fail(`${at} has no "=" between its name and secret`);
      const name = entry.slice(0, eq);
      const secret = entry.slice(eq + 1);
      if (!(name.length <= ADMIN_NAME_MAX && NAME.test(name))) {
        return fail(`${at} has a name that is not 1 to ${ADMIN_NAME_MAX} of A-Z a-z 0-9 _ . -`);
      }
      if (secret.length < ADMIN_SECRET_MIN) {
        return fail(`${at} has a secret shorter than ${ADMIN_SECRET_MIN} characters`);
      }
      if (secret.length > ADMIN_SECRET_MAX) {
        return fail(`${at} has a secret longer than ${ADMIN_SECRET_MAX} characters`);
      }
      if (!SECRET.test(secret)) {
        return fail(`${at} has a secret with a character other than A-Z a-z 0-9 - . _ ~ + / =`);
      }
      // `ops` and `OPS` would be two names in the audit that read as one
      const key = name.toLowerCase();
      const sameName = names.get(key);
      if (sameName !== undefined) return fail(`entries ${sameName} and ${i + 1} share a name`);
      // the audit names whoever holds the secret: one secret under two names names nobody
      const sameSecret = secrets.get(secret);
      if (sameSecret !== undefined)
        return fail(`entries ${sameSecret} and ${i + 1} share a secret`);
      names.set(key, i + 1);
      secrets.set(secret, i + 1);
      tokens.push({ name, secret });
    }
    return { ok: true, value: tokens };
  },
};
