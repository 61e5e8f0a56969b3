// The redrive routes' request bodies: JSON objects read under a byte limit, each field by one
// strict rule, unknown fields refused (a typo such as `dryrun` must not send for real). Messages
// name the field and what it takes, never the value given.
import { ApiError } from '../http-error.ts';
import { FILTER_PARAMS, type FilterParam, parseFilter } from './params.ts';
import {
  REDRIVE_MAX_LETTERS,
  REDRIVE_RATE,
  type RedriveOptions,
  type RedriveSelection,
} from './redrive-deps.ts';

const bad = (message: string) => new ApiError('bad_request', message);

/** Most body bytes: room for REDRIVE_MAX_LETTERS ids, or a corrected value of `maxValueBytes`. */
export function bodyLimit(maxValueBytes: number): number {
  return Math.max(2 * 1024 * 1024, 2 * maxValueBytes + 64 * 1024);
}

/** The body as a JSON object: 413 over `limit`, 400 when it is not one (or not JSON). */
export async function readJsonObject(
  request: Request,
  limit: number,
): Promise<Record<string, unknown>> {
  const tooLarge = () => new ApiError('payload_too_large', `request body over ${limit} bytes`);
  const length = request.headers.get('content-length');
  if (length !== null && !(Number(length) <= limit)) throw tooLarge();
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw bad('the body must be JSON (content-type: application/json)');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    throw bad('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function refuseUnknown(body: Record<string, unknown>, known: readonly string[]): void {
  for (const name of Object.keys(body)) {
    if (!known.includes(name))
      throw bad(`unknown field ${JSON.stringify(name.slice(0, 40))}; known: ${known.join(', ')}`);
  }
}

function flag(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

function rate(body: Record<string, unknown>): number {
  const v = body.rate;
  if (v === undefined) return REDRIVE_RATE.default;
  if (
    typeof v !== 'number' ||
    !Number.isInteger(v) ||
    v < REDRIVE_RATE.min ||
    v > REDRIVE_RATE.max
  ) {
    throw bad(
      `rate must be an integer from ${REDRIVE_RATE.min} to ${REDRIVE_RATE.max} (letters per second)`,
    );
  }
  return v;
}

function ids(v: unknown): number[] {
  if (!Array.isArray(v) || v.length === 0) throw bad('ids must be a non-empty array of letter ids');
  if (v.length > REDRIVE_MAX_LETTERS) {
    throw bad(`ids may name at most ${REDRIVE_MAX_LETTERS} letters`);
  }
  for (const id of v) {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) {
      throw bad('ids must hold letter ids: integers from 1 to 9007199254740991');
    }
  }
  return v as number[];
}

function filter(v: unknown) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw bad(`filter must be an object with any of ${FILTER_PARAMS.join(', ')}`);
  }
  const raw: Partial<Record<FilterParam, string>> = {};
  for (const [name, value] of Object.entries(v)) {
    if (!(FILTER_PARAMS as readonly string[]).includes(name)) {
      throw bad(`filter takes ${FILTER_PARAMS.join(', ')}`);
    }
    if (name === 'partition' && typeof value === 'number') raw.partition = String(value);
    else if (typeof value === 'string') raw[name as FilterParam] = value;
    else
      throw bad(`filter.${name} must be a string${name === 'partition' ? ' or an integer' : ''}`);
  }
  return parseFilter(raw);
}

const START_FIELDS = ['ids', 'filter', 'dry_run', 'rate', 'again', 'include_redriven'] as const;

/** `POST /dead-letters/redrive`'s body: ids or a filter (exactly one), and the options. */
export function parseStartBody(body: Record<string, unknown>): {
  selection: RedriveSelection;
  options: RedriveOptions;
} {
  refuseUnknown(body, START_FIELDS);
  if ((body.ids === undefined) === (body.filter === undefined)) {
    throw bad('give either ids (an array of letter ids) or filter (an object), not both');
  }
  const selection: RedriveSelection =
    body.ids !== undefined
      ? { kind: 'ids', ids: ids(body.ids) }
      : { kind: 'filter', filter: filter(body.filter) };
  return {
    selection,
    options: {
      dryRun: flag(body, 'dry_run'),
      rate: rate(body),
      again: flag(body, 'again'),
      includeRedriven: flag(body, 'include_redriven'),
    },
  };
}

const EDIT_FIELDS = ['value', 'dry_run', 'again'] as const;

/** `POST /dead-letters/{id}/redrive`'s body: the corrected order (any JSON; validated later). */
export function parseEditBody(body: Record<string, unknown>): {
  value: string;
  options: Pick<RedriveOptions, 'again' | 'dryRun'>;
} {
  refuseUnknown(body, EDIT_FIELDS);
  if (body.value === undefined) throw bad('value (the corrected order, as JSON) is required');
  return {
    value: JSON.stringify(body.value),
    options: { dryRun: flag(body, 'dry_run'), again: flag(body, 'again') },
  };
}
