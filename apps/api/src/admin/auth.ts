// Bearer tokens for the admin API (ADMIN_TOKENS). A request is let through only with
// `Authorization: Bearer <secret>` naming one of the tokens; the token's NAME (never its secret)
// is set on the context as `admin`, for the audit of whatever the request does.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http-error.ts';
import type { AdminToken } from './deps.ts';

/** What the admin routes find on the Hono context: `c.get('admin')` is the token's name. */
export type AdminEnv = { Variables: { admin: string } };

// `Bearer` (any case, RFC 9110 §11.1), one or more spaces, then RFC 6750's b64token: the syntax
// @orders/config holds every secret to. Anything else cannot be one of ours.
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The one answer to a missing, malformed or wrong credential: no detail (which of the three, or
 * that a name exists, would help a guesser), the challenge RFC 6750 asks for.
 */
export function unauthorized(): ApiError {
  return new ApiError('unauthorized', 'authentication required', { authenticate: 'Bearer' });
}

/**
 * The name of the token `authorization` carries, or undefined. Both sides are compared as SHA-256
 * digests (equal lengths, so timingSafeEqual applies and the secret's length does not show), and
 * every token is compared, match or not, so the time taken does not say which one matched.
 */
export function tokenName(
  authorization: string | undefined,
  digests: readonly { name: string; digest: Buffer }[],
): string | undefined {
  const presented = authorization === undefined ? null : BEARER.exec(authorization);
  if (!presented?.[1]) return undefined;
  const digest = sha256(presented[1]);
  let found: string | undefined;
  for (const token of digests) {
    if (timingSafeEqual(token.digest, digest)) found = token.name;
  }
  return found;
}

/**
 * The middleware in front of every admin route. Nothing of the header is ever logged or echoed:
 * a failure is a 401 like any other (the error handler logs 5xx only, and no header).
 */
export function adminAuth(tokens: readonly AdminToken[]): MiddlewareHandler<AdminEnv> {
  // hashed once: a request hashes only what it presents
  const digests = tokens.map((t) => ({ name: t.name, digest: sha256(t.secret) }));
  return async (c, next) => {
    const name = tokenName(c.req.header('authorization'), digests);
    if (name === undefined) throw unauthorized();
    c.set('admin', name);
    await next();
  };
}
