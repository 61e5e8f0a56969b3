import type { AdminDeps } from './deps.ts';
import { refuseQuery } from './params.ts';
import { bodyLimit, parseStartBody, readJsonObject } from './redrive-body.ts';
import { redriveOf, redriveUnavailable, startAnswer } from './redrive-refusal.ts';
import type { AdminRoute } from './route.ts';

/**
 * `POST /dead-letters/redrive` with `{ ids }` or `{ filter }` and `dry_run`, `rate`, `again`,
 * `include_redriven`: the letters re-validated, a run recorded (who: the token's name) and, unless
 * a dry run, sent by ingest at `rate` per second → 202 `{ run, matched, would_pass, skipped }`.
 * Letters named by id that were redriven already: 409 unless `again`.
 */
export function redriveStartRoute(deps: AdminDeps): AdminRoute {
  return {
    method: 'POST',
    path: '/dead-letters/redrive',
    handler: async (c) => {
      const service = redriveOf(deps.redrive);
      refuseQuery(c.req.url);
      const body = await readJsonObject(c.req.raw, bodyLimit(deps.maxMessageBytes));
      const { selection, options } = parseStartBody(body);
      const outcome = await service
        .start(selection, options, c.get('admin'))
        .catch((e: unknown) => {
          throw redriveUnavailable(e);
        });
      return startAnswer(outcome);
    },
  };
}
