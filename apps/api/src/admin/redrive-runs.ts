import { ApiError } from '../http-error.ts';
import type { AdminDeps } from './deps.ts';
import { adminJson } from './letter-json.ts';
import { refuseQuery } from './params.ts';
import type { RedriveRun, RedriveService } from './redrive-deps.ts';
import { parseRunId, redriveOf, redriveUnavailable } from './redrive-refusal.ts';
import type { AdminContext, AdminRoute } from './route.ts';

type RunCall = (
  service: RedriveService,
  run: number,
  by: string,
) => Promise<RedriveRun | undefined>;

function runRoute(
  deps: AdminDeps,
  method: 'GET' | 'POST',
  path: string,
  call: RunCall,
): AdminRoute {
  return {
    method,
    path,
    handler: async (c: AdminContext, params) => {
      const service = redriveOf(deps.redrive);
      const run = parseRunId(params.run ?? '');
      refuseQuery(c.req.url);
      const found = await call(service, run, c.get('admin')).catch((e: unknown) => {
        throw redriveUnavailable(e);
      });
      if (!found) throw new ApiError('not_found', 'no redrive run has this id');
      return adminJson(found);
    },
  };
}

/**
 * `GET /dead-letters/redrives/{run}` — progress (pending, sent, skipped, failed), what ingest made
 * of the sent letters (stored, superseded, dead-lettered again) and the audit record (who, when,
 * what was asked, the run's events).
 */
export const redriveRunRoute = (deps: AdminDeps) =>
  runRoute(deps, 'GET', '/dead-letters/redrives/:run', (s, run) => s.get(run));

/** `POST /dead-letters/redrives/{run}/resume` — a cancelled run goes on; a running one is looked at now. */
export const redriveResumeRoute = (deps: AdminDeps) =>
  runRoute(deps, 'POST', '/dead-letters/redrives/:run/resume', (s, run, by) => s.resume(run, by));

/** `POST /dead-letters/redrives/{run}/cancel` — letters not sent yet are not sent. */
export const redriveCancelRoute = (deps: AdminDeps) =>
  runRoute(deps, 'POST', '/dead-letters/redrives/:run/cancel', (s, run, by) => s.cancel(run, by));
