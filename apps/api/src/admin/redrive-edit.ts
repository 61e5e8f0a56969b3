import { parseLetterId } from './dead-letter-by-id.ts';
import type { AdminDeps } from './deps.ts';
import { refuseQuery } from './params.ts';
import { bodyLimit, parseEditBody, readJsonObject } from './redrive-body.ts';
import { redriveOf, redriveUnavailable, startAnswer } from './redrive-refusal.ts';
import type { AdminRoute } from './route.ts';

/**
 * `POST /dead-letters/{id}/redrive` with `{ "value": <the corrected order> }` (and `dry_run`,
 * `again`): edit and resend one letter. The value is validated first with the running schema and
 * limits: invalid → 422 with the problems, nothing sent; valid → 202 as a run of that one letter,
 * the corrected value sent in place of the letter's (key and headers as the letter had them).
 */
export function redriveEditRoute(deps: AdminDeps): AdminRoute {
  return {
    method: 'POST',
    path: '/dead-letters/:id/redrive',
    handler: async (c, params) => {
      const service = redriveOf(deps.redrive);
      const id = parseLetterId(params.id ?? '');
      refuseQuery(c.req.url);
      const body = await readJsonObject(c.req.raw, bodyLimit(deps.maxMessageBytes));
      const { value, options } = parseEditBody(body);
      const outcome = await service.edit(id, value, options, c.get('admin')).catch((e: unknown) => {
        throw redriveUnavailable(e);
      });
      return startAnswer(outcome);
    },
  };
}
