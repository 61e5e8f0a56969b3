import { ApiError } from '../http-error.ts';
import { encodeCursor } from './cursor.ts';
import type { AdminDeps } from './deps.ts';
import { adminJson, letterJson } from './letter-json.ts';
import { parseListQuery } from './params.ts';
import type { AdminRoute } from './route.ts';

/**
 * Value bytes one page may hold. A letter keeps up to 2 MiB of value (the DLQ topic's limit), so
 * 100 of them would be 200 MiB read, held and sent for one click: the page stops early instead
 * (with `next`), and always holds at least one letter.
 */
export const PAGE_VALUE_BYTES = 4 * 1024 * 1024;

/** A failed ledger read: the cause goes to the log (5xx are logged), never to the client. */
export function ledgerUnavailable(cause: unknown): ApiError {
  return new ApiError('unavailable', 'the dead-letter ledger could not be read', {
    retryAfter: 1,
    cause,
  });
}

/**
 * `GET /dead-letters?reason=&problem=&uid=&partition=&since=&until=&limit=&cursor=` — letters
 * newest first by (stored_at, id), `{ items, next }`: `next` is the cursor of the following page,
 * null on the last. Keyset pagination: a deep page costs what the first does, and letters stored
 * meanwhile never shift a page (they are newer than every cursor).
 */
export function deadLettersListRoute(deps: AdminDeps): AdminRoute {
  return {
    method: 'GET',
    path: '/dead-letters',
    handler: async (c) => {
      const { filter, limit, after } = parseListQuery(c.req.url);
      const page = await deps.deadLetters
        .list({ filter, limit, maxValueBytes: PAGE_VALUE_BYTES, ...(after ? { after } : {}) })
        .catch((error: unknown) => {
          throw ledgerUnavailable(error);
        });
      return adminJson({
        items: page.letters.map(letterJson),
        next: page.next === null ? null : encodeCursor(page.next),
      });
    },
  };
}
