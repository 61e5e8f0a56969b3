import { DEAD_LETTER_REASONS, PROBLEM_CODES } from '@orders/model';
import { ledgerUnavailable } from './dead-letters-list.ts';
import type { AdminDeps, DeadLetterSummary } from './deps.ts';
import { adminJson } from './letter-json.ts';
import { refuseQuery } from './params.ts';
import type { AdminRoute } from './route.ts';

export const SUMMARY_HOURS = 48;
/**
 * How long one summary is reused, from its read's start. Its counts read the whole ledger (an
 * index-only scan, ~1 s per million letters), so a page that polls, or several operators, cost
 * one read per interval, and never two at once.
 */
export const SUMMARY_REUSE_MS = 5_000;

export type SummaryJson = {
  /** when the counts were read (they are reused for SUMMARY_REUSE_MS) */
  as_of: string;
  total: number;
  /** every reason, 0 included */
  by_reason: Record<string, number>;
  /** letters with at least one problem of the code; every code, 0 included */
  by_problem: Record<string, number>;
  /** the current hour and the 47 before it, oldest first */
  per_hour: { hour: string; count: number }[];
};

function summaryJson(s: DeadLetterSummary, at: number): SummaryJson {
  const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
  return {
    as_of: new Date(at).toISOString(),
    total: s.total,
    // a reason or code the ledger holds that this version does not know is kept, after ours
    by_reason: { ...zeros(DEAD_LETTER_REASONS), ...s.byReason },
    by_problem: { ...zeros(PROBLEM_CODES), ...s.byProblem },
    per_hour: s.perHour,
  };
}

/** `GET /dead-letters/summary` — counts by reason, by problem code, and per hour for 48 h. */
export function deadLettersSummaryRoute(deps: AdminDeps): AdminRoute {
  const now = deps.now ?? Date.now;
  let current: { at: number; read: Promise<SummaryJson> } | undefined;
  return {
    method: 'GET',
    path: '/dead-letters/summary',
    handler: async (c) => {
      refuseQuery(c.req.url);
      const at = now();
      if (current === undefined || at - current.at >= SUMMARY_REUSE_MS) {
        const read = deps.deadLetters
          .summary({ hours: SUMMARY_HOURS })
          .then((s) => summaryJson(s, at));
        const entry = { at, read };
        current = entry;
        // a failure is not reused: the next request reads again
        read.catch(() => {
          if (current === entry) current = undefined;
        });
      }
      const summary = await current.read.catch((error: unknown) => {
        throw ledgerUnavailable(error);
      });
      return adminJson(summary);
    },
  };
}
