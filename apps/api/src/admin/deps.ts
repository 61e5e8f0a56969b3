// The admin API's ports: what it reads (the dead-letter ledger, implemented by ingest over
// PostgreSQL: the API never imports pg) and what it is given. Part B's redrive adds its own here.
import type { DeadLetterReason, ProblemCode } from '@orders/model';
import type { LetterRedrive, RedriveService } from './redrive-deps.ts';

/** One `ADMIN_TOKENS` entry (@orders/config's AdminToken): the name is what the audit records. */
export type AdminToken = { readonly name: string; readonly secret: string };

/** What the list (and a redrive by filter) selects; every field narrows, none set = all letters. */
export type DeadLetterFilter = {
  reason?: DeadLetterReason;
  /** letters with at least one problem of this code */
  problem?: ProblemCode;
  /** the order_uid read from the message */
  uid?: string;
  /** the source partition */
  partition?: number;
  /** stored at or after (ISO 8601, µs precision at most) */
  since?: string;
  /** stored before (ISO 8601) */
  until?: string;
};

/** Where a page ends: the last letter's place in (stored_at, id) order. */
export type DeadLetterPosition = {
  /** `stored_at` exactly, ISO 8601 UTC with microseconds (PostgreSQL's precision) */
  storedAt: string;
  id: number;
};

export type DeadLetterQuery = {
  filter: DeadLetterFilter;
  /** most letters in the page */
  limit: number;
  /** letters strictly after this position (older), for the next page */
  after?: DeadLetterPosition;
  /**
   * Value bytes the page may hold: letters are added newest first while the bytes before each are
   * under it (the first is always in), so a page of large letters is cut short, with `next`.
   */
  maxValueBytes: number;
};

/** One ledger row as stored; the API turns bytes into text or base64 (letter-json.ts). */
export type DeadLetterRecord = {
  id: number;
  reason: string;
  /** `[{ path, code, message }]` as the ledger holds it (the DLQ's x-dlq-problems, capped) */
  problems: unknown;
  source: {
    topic: string;
    partition: number;
    /** int64 as decimal text */
    offset: string;
    /** the Kafka record's timestamp, epoch ms; null when it had none */
    timestamp: number | null;
  };
  key: Uint8Array | null;
  uid: string | null;
  /** the value as kept (cut at the ledger's cap when `truncated`); null for a tombstone */
  value: Uint8Array | null;
  /** the original value's size in bytes; null for a tombstone */
  size: number | null;
  truncated: boolean;
  /** ISO 8601 UTC with microseconds */
  storedAt: string;
  /** each redrive run that selected the letter, oldest first, with what became of it */
  redrives: readonly LetterRedrive[];
};

export type DeadLetterPage = {
  /** newest first by (stored_at, id) */
  letters: DeadLetterRecord[];
  /** the last letter's position when more follow, else null */
  next: DeadLetterPosition | null;
};

export type DeadLetterSummary = {
  total: number;
  /** letters per reason (reasons with none left out) */
  byReason: Record<string, number>;
  /** letters with at least one problem of the code, per code (codes with none left out) */
  byProblem: Record<string, number>;
  /** letters per hour, oldest first: every hour of the window, empty ones at 0 */
  perHour: { hour: string; count: number }[];
};

/** The dead-letter ledger, read (ingest implements it over PostgreSQL: dead-letter-reads.ts). */
export type DeadLetterReader = {
  list(query: DeadLetterQuery): Promise<DeadLetterPage>;
  /** one letter; undefined when no letter has the id */
  get(id: number): Promise<DeadLetterRecord | undefined>;
  /** counts over the whole ledger, and per hour for the current hour and the `hours - 1` before */
  summary(options: { hours: number }): Promise<DeadLetterSummary>;
};

/** The admin API's dependencies (createAdminRoutes). */
export type AdminDeps = {
  /** ADMIN_TOKENS; empty = the admin API is off (createApp does not mount it: every path 404) */
  tokens: readonly AdminToken[];
  deadLetters: DeadLetterReader;
  /** KAFKA_MAX_BYTES: the running limit a letter is re-validated against (`would_pass_now`) */
  maxMessageBytes: number;
  /** sends letters back to the orders topic (redrive-deps.ts); absent: the redrive routes 404 */
  redrive?: RedriveService;
  now?: () => number;
};
