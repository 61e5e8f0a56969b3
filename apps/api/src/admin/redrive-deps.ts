// The redrive port: what the redrive routes ask of the service that sends letters back to the
// orders topic (implemented by ingest: apps/ingest/src/redrive/, over PostgreSQL and Kafka; the
// API never imports pg or a Kafka client). Runs execute in the ingest process; these calls only
// create, read, resume and cancel them.
import type { Problem } from '@orders/model';
import type { DeadLetterFilter } from './deps.ts';

/** A redrive selects letters by id or by the list's filter (its `partition` included). */
export type RedriveSelection =
  | { kind: 'ids'; ids: readonly number[] }
  | { kind: 'filter'; filter: DeadLetterFilter };

export type RedriveOptions = {
  /** count what would be sent, send nothing (the run is recorded, done at once) */
  dryRun: boolean;
  /** letters per second */
  rate: number;
  /** also send letters already redriven (stored or superseded), or being redriven by another run */
  again: boolean;
  /** also send letters that a redrive produced (a redriven message that failed again) */
  includeRedriven: boolean;
};

/** Letters per second: the default and the bounds a request may ask for. */
export const REDRIVE_RATE = { default: 1_000, min: 1, max: 20_000 } as const;
/** Most letters one run may select: a larger selection is refused (narrow the filter). */
export const REDRIVE_MAX_LETTERS = 100_000;

export type RedriveRunState = 'running' | 'done' | 'cancelled';

/** Why a letter of a run is not sent. */
export type RedriveSkipReason =
  /** it does not pass the running schema and limits now (`problems` say why) */
  | 'invalid'
  /** redriven before (stored or superseded), or in another run still running; `again` sends it */
  | 'already_redriven'
  /** the value was cut to fit the ledger: not the original message */
  | 'truncated';

/** A run as GET /dead-letters/redrives/{run} shows it: progress and the audit record. */
export type RedriveRun = {
  run: number;
  kind: 'ids' | 'filter' | 'edit';
  state: RedriveRunState;
  dry_run: boolean;
  /** who: the admin token's name */
  created_by: string;
  /** ISO 8601 */
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** what was asked: the ids or the filter, and the options */
  request: {
    ids?: number[];
    filter?: DeadLetterFilter;
    /** edit: the letter whose corrected value is sent */
    letter?: number;
    rate: number;
    again: boolean;
    include_redriven: boolean;
  };
  /** letters selected, and how many passed validation then (what is being sent) */
  matched: number;
  would_pass: number;
  progress: {
    /** not sent yet (pending, or being sent) */
    pending: number;
    sent: number;
    skipped: number;
    /** refused by Kafka as records (never retried as is) */
    failed: number;
  };
  /** what ingest made of the sent letters (recorded in the batch that consumed each) */
  outcomes: { stored: number; superseded: number; dead_lettered: number; awaiting: number };
  skipped_by_reason: Partial<Record<RedriveSkipReason, number>>;
  /** the run's history: created, taken up by an instance, resumed after a crash, cancelled, done */
  events: RedriveEvent[];
};

export type RedriveEvent = {
  at: string;
  event: 'created' | 'claimed' | 'reconciled' | 'resume_asked' | 'cancelled' | 'done';
  /** the token's name (created, resume_asked, cancelled) */
  by?: string;
  /** the ingest instance (claimed) */
  instance?: string;
  /** reconciled: of the letters being sent when the previous holder stopped, found on the topic / not */
  found_sent?: number;
  back_to_pending?: number;
};

/** A letter's redrives (the `redrives` of a listed letter): each run that selected it. */
export type LetterRedrive = {
  run: number;
  state: 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';
  skipped?: RedriveSkipReason;
  /** what ingest made of it: stored, dead-lettered again (`letter` is the new one), superseded */
  outcome: 'stored' | 'superseded' | 'dead_lettered' | null;
  letter?: number;
  sent_at: string | null;
};

export type StartOutcome =
  | { ok: true; run: number; matched: number; would_pass: number; skipped: number }
  /** letters named by id that do not exist */
  | { ok: false; error: 'not_found'; ids: number[] }
  /** letters already redriven (`again` sends them) or produced by a redrive (`include_redriven`) */
  | { ok: false; error: 'conflict'; ids: number[]; message: string }
  /** more letters than REDRIVE_MAX_LETTERS */
  | { ok: false; error: 'too_many'; matched: number }
  /** edit: the corrected value does not pass; nothing was sent */
  | { ok: false; error: 'invalid'; reason: string; problems: Problem[] };

export type RedriveService = {
  /** a run over the selection (a dry run is recorded done at once); `by`: the token's name */
  start(selection: RedriveSelection, options: RedriveOptions, by: string): Promise<StartOutcome>;
  /**
   * One letter with a corrected value (the JSON text of the order): validated first, with the
   * running schema and limits; when it passes, sent as a run of that one letter.
   */
  edit(
    letter: number,
    value: string,
    options: Pick<RedriveOptions, 'again' | 'dryRun'>,
    by: string,
  ): Promise<StartOutcome>;
  /** undefined: no such run */
  get(run: number): Promise<RedriveRun | undefined>;
  /** a run left running (its instance gone): taken up now by this instance if nobody holds it */
  resume(run: number, by: string): Promise<RedriveRun | undefined>;
  /** letters not sent yet are not sent; what is on its way is not called back */
  cancel(run: number, by: string): Promise<RedriveRun | undefined>;
};
