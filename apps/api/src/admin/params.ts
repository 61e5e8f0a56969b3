// The admin API's query parameters, each read by one strict rule. A refusal names the parameter
// and what it takes, never the value given (messages are fixed texts: a 10 KB value, a NUL or
// markup is not echoed). A redrive by filter (part B) reads its filter with the same rules.
import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  PROBLEM_CODES,
  type ProblemCode,
} from '@orders/model';
import { ApiError } from '../http-error.ts';
import { readQuery } from '../query.ts';
import { decodeCursor } from './cursor.ts';
import type { DeadLetterFilter, DeadLetterPosition } from './deps.ts';
import { formatInstant, parseInstant } from './instant.ts';

export const LIST_DEFAULT = 20;
export const LIST_MAX = 100;
/** The model keeps an invalid order's uid for its letter when it is 1 to 128 characters. */
export const UID_MAX = 128;
/** Kafka partitions are int32. */
export const PARTITION_MAX = 2_147_483_647;

const bad = (message: string) => new ApiError('bad_request', message);

export const FILTER_PARAMS = ['reason', 'problem', 'uid', 'partition', 'since', 'until'] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];

function oneOf<T extends string>(name: string, values: readonly T[], raw: string): T {
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw bad(`${name} must be one of ${values.join(', ')}`);
}

// C0 and C1 controls and DEL: a uid the model kept can hold any other character (an invalid order's
// uid need not follow the uid rule), but PostgreSQL text cannot hold NUL, and no uid holds these.
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function uid(raw: string): string {
  if (raw.length < 1 || raw.length > UID_MAX || hasControl(raw)) {
    throw bad(`uid must be 1 to ${UID_MAX} characters without control characters`);
  }
  return raw;
}

function partition(raw: string): number {
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n <= PARTITION_MAX)) throw bad(`partition must be an integer from 0 to ${PARTITION_MAX}`);
  return n;
}

function instant(name: string, raw: string): bigint {
  // `+02:00` typed into a query string unencoded arrives as ` 02:00` (`+` is a space there): a
  // space can stand nowhere else in an instant, so it is read as the `+` it was
  const micros = parseInstant(raw.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (micros === undefined) {
    throw bad(
      `${name} must be an ISO 8601 date (2026-12-03) or date-time with a zone (2026-12-03T14:05:00Z)`,
    );
  }
  return micros;
}

/** A filter from its raw parameters (as readQuery gave them): 400 naming the first bad one. */
export function parseFilter(values: Partial<Record<FilterParam, string>>): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (values.reason !== undefined) {
    filter.reason = oneOf<DeadLetterReason>('reason', DEAD_LETTER_REASONS, values.reason);
  }
  if (values.problem !== undefined) {
    filter.problem = oneOf<ProblemCode>('problem', PROBLEM_CODES, values.problem);
  }
  if (values.uid !== undefined) filter.uid = uid(values.uid);
  if (values.partition !== undefined) filter.partition = partition(values.partition);
  const since = values.since === undefined ? undefined : instant('since', values.since);
  const until = values.until === undefined ? undefined : instant('until', values.until);
  if (since !== undefined && until !== undefined && since > until) {
    throw bad('since must not be after until');
  }
  if (since !== undefined) filter.since = formatInstant(since);
  if (until !== undefined) filter.until = formatInstant(until);
  return filter;
}

export type ListParams = { filter: DeadLetterFilter; limit: number; after?: DeadLetterPosition };

const LIST_PARAMS = [...FILTER_PARAMS, 'limit', 'cursor'] as const;

/** `GET /dead-letters`'s query: every parameter known, each valid, or a 400 naming it. */
export function parseListQuery(url: string): ListParams {
  const query = readQuery(url, LIST_PARAMS, { unknown: 'refuse' });
  if (!query.ok) throw bad(query.message);
  const { limit: rawLimit, cursor, ...rest } = query.values;
  const filter = parseFilter(rest);
  let limit = LIST_DEFAULT;
  if (rawLimit !== undefined) {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : 0;
    if (limit < 1 || limit > LIST_MAX) throw bad(`limit must be an integer from 1 to ${LIST_MAX}`);
  }
  if (cursor === undefined) return { filter, limit };
  const after = decodeCursor(cursor);
  if (after === undefined) throw bad('cursor is not one this API gave (use next as it came)');
  return { filter, limit, after };
}

/** A route that takes no parameters: any is a 400 naming it (a typo must not go unnoticed). */
export function refuseQuery(url: string): void {
  const query = readQuery(url, [], { unknown: 'refuse' });
  if (!query.ok) throw bad(query.message);
}
