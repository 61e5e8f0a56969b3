// What the redrive routes answer when the service refuses: the API's error body with the facts an
// operator needs (the ids in question, the problems of a corrected value). 409 and 422 are the
// redrive's own statuses, so they are built here rather than in the API-wide error table.
import { ApiError } from '../http-error.ts';
import { adminJson } from './letter-json.ts';
import { REDRIVE_MAX_LETTERS, type RedriveService, type StartOutcome } from './redrive-deps.ts';

/** Most ids named in a refusal (the rest are counted in the message). */
export const REFUSAL_IDS = 100;

function refusal(status: number, code: string, message: string, extra: Record<string, unknown>) {
  return adminJson({ error: { code, message, ...extra } }, status);
}

/** The service's answer as HTTP: 202 with the run, or 404 / 409 / 422 with what was refused. */
export function startAnswer(outcome: StartOutcome): Response {
  if (outcome.ok) {
    const { run, matched, would_pass, skipped } = outcome;
    return adminJson({ run, matched, would_pass, skipped }, 202);
  }
  switch (outcome.error) {
    case 'not_found':
      return refusal(404, 'not_found', `${outcome.ids.length} of the letters do not exist`, {
        ids: outcome.ids.slice(0, REFUSAL_IDS),
      });
    case 'conflict':
      return refusal(409, 'already_redriven', outcome.message, {
        ids: outcome.ids.slice(0, REFUSAL_IDS),
      });
    case 'too_many':
      return refusal(
        422,
        'too_many',
        `more than ${REDRIVE_MAX_LETTERS} letters match (a run takes at most that many): narrow the selection`,
        {},
      );
    case 'invalid':
      return refusal(
        422,
        'invalid',
        'the corrected value does not pass validation; nothing was sent',
        {
          reason: outcome.reason,
          problems: outcome.problems,
        },
      );
  }
}

/** The redrive service, or 404 when this deployment has none (the read API alone). */
export function redriveOf(service: RedriveService | undefined): RedriveService {
  if (!service) throw new ApiError('not_found', 'redrive is not available on this server');
  return service;
}

/** A failed redrive call: the cause goes to the log (5xx are logged), never to the client. */
export function redriveUnavailable(cause: unknown): ApiError {
  return new ApiError('unavailable', 'the redrive state could not be read or written', {
    retryAfter: 1,
    cause,
  });
}

/** Redrive run ids are PostgreSQL identities: decimal, 1 … 2^53 − 1. */
export function parseRunId(raw: string): number {
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : 0;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ApiError('bad_request', 'run must be a decimal integer from 1 to 9007199254740991');
  }
  return id;
}
