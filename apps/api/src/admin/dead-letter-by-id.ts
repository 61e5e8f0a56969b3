import { ApiError } from '../http-error.ts';
import { ledgerUnavailable } from './dead-letters-list.ts';
import type { AdminDeps } from './deps.ts';
import { adminJson, letterJson, wouldPassNow } from './letter-json.ts';
import { refuseQuery } from './params.ts';
import type { AdminRoute } from './route.ts';

/** Ledger ids are PostgreSQL identities: decimal, 1 … 2^53 − 1 (JSON numbers stay exact). */
export function parseLetterId(raw: string): number {
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : 0;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ApiError('bad_request', 'id must be a decimal integer from 1 to 9007199254740991');
  }
  return id;
}

/**
 * `GET /dead-letters/{id}` — one letter with the list's fields, plus `would_pass_now`: `true`, or
 * the problems the running model and KAFKA_MAX_BYTES find in it today.
 */
export function deadLetterByIdRoute(deps: AdminDeps): AdminRoute {
  return {
    method: 'GET',
    path: '/dead-letters/:id',
    handler: async (c, params) => {
      const id = parseLetterId(params.id ?? '');
      refuseQuery(c.req.url);
      const letter = await deps.deadLetters.get(id).catch((error: unknown) => {
        throw ledgerUnavailable(error);
      });
      if (letter === undefined) throw new ApiError('not_found', 'no dead letter has this id');
      return adminJson({
        ...letterJson(letter),
        would_pass_now: wouldPassNow(letter, deps.maxMessageBytes),
      });
    },
  };
}
