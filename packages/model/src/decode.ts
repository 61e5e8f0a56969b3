// Kafka value bytes → Order: the whole per-message decode step, never throws.

import { canonicalJson, type EncodedOrder, etagOf, isInSchemaOrder } from './canonical.ts';
import { isCleanJson } from './check-json.ts';
import type { Order } from './order.ts';
import { type Problem, safeMessage } from './problem.ts';
import { validateChecked } from './validate.ts';

/** Why `decodeOrder` refused a message, in the order of its checks. */
export const REJECT_REASONS = [
  'empty',
  'too_large',
  'not_json',
  'not_object',
  'invalid_order',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * Why a message was dead-lettered (the DLQ's `x-dlq-reason`, the `reason` label of
 * `orders_invalid_total`): a `RejectReason`, or `rejected_by_database` for an order the model
 * accepted but PostgreSQL refused as data (SQLSTATE class 22/23/54), isolated row by row so it
 * cannot block its partition.
 */
export const DEAD_LETTER_REASONS = [...REJECT_REASONS, 'rejected_by_database'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

type Rejected = {
  ok: false;
  reason: RejectReason;
  problems: Problem[];
  /** an invalid order's order_uid, when it has a plausible one (for finding its dead letter) */
  uid?: string;
};

const MAX_UID = 128;

// the order_uid of a JSON object that failed validation, if it is a short string
function uidOf(json: unknown): { uid?: string } {
  const uid = (json as { order_uid?: unknown } | null)?.order_uid;
  return typeof uid === 'string' && uid.length > 0 && uid.length <= MAX_UID ? { uid } : {};
}

export type DecodeResult = { ok: true; order: Order } | Rejected;

export type DecodeAndEncodeResult = ({ ok: true; order: Order } & EncodedOrder) | Rejected;

// JSON text must be UTF-8 (RFC 8259); a lenient decoder would silently turn bad bytes into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeOrder(value: Uint8Array | null, opts: { maxBytes: number }): DecodeResult {
  const parsed = parse(value, opts);
  if (!parsed.ok) return parsed;
  const result = validateChecked(parsed.json, parsed.clean);
  if (result.ok) return result;
  return { ok: false, reason: 'invalid_order', problems: result.problems, ...uidOf(parsed.json) };
}

/**
 * decodeOrder, then encodeOrder of the order, in one step (ingest's hot path): the same order,
 * problems, body bytes and ETag as calling the two, but when the message already is the canonical
 * text (a producer writing JSON.stringify of an order in schema order) the body is a view of
 * `value` instead of a re-encoded copy, and an order known to be in schema order is serialised
 * without walking it again. The body may share memory with `value`: neither may be modified.
 */
export function decodeAndEncodeOrder(
  value: Uint8Array | null,
  opts: { maxBytes: number },
): DecodeAndEncodeResult {
  const parsed = parse(value, opts);
  if (!parsed.ok) return parsed;
  const result = validateChecked(parsed.json, parsed.clean);
  if (!result.ok) {
    return { ok: false, reason: 'invalid_order', problems: result.problems, ...uidOf(parsed.json) };
  }
  const order = result.order;
  // The validated copy of an input in schema order has the same keys in the same order.
  const canonical = parsed.inSchemaOrder ? JSON.stringify(order) : canonicalJson(order);
  // Same text and no byte order mark (TextDecoder drops one; canonical text starts with `{`):
  // strictly decoded UTF-8 re-encodes to exactly the bytes it came from.
  const body =
    canonical === parsed.text && (value as Uint8Array)[0] === 0x7b
      ? asBuffer(value as Uint8Array)
      : Buffer.from(canonical, 'utf8');
  return { ok: true, order, body, etag: etagOf(body) };
}

type Parsed =
  | {
      ok: true;
      json: Record<string, unknown>;
      text: string;
      /** the JSON-level rules hold when true; unknown when undefined */
      clean: boolean | undefined;
      inSchemaOrder: boolean;
    }
  | Rejected;

function parse(value: Uint8Array | null, opts: { maxBytes: number }): Parsed {
  if (value === null || value.byteLength === 0) {
    return reject('empty', 'required', 'message value is empty (null or 0 bytes)');
  }
  // Size first: never decode or parse what would be refused anyway.
  if (!(value.byteLength <= opts.maxBytes)) {
    return reject(
      'too_large',
      'too_long',
      `value is ${value.byteLength} bytes, limit ${opts.maxBytes}`,
    );
  }
  let text: string;
  let json: unknown;
  try {
    text = utf8.decode(value);
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return reject('not_json', 'syntax', `not UTF-8 JSON: ${detail}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json;
    return reject('not_object', 'type', `expected a JSON object, got ${kind}`);
  }
  // Only a `\u` escape can put a NUL or a lone surrogate into a parsed string (raw control
  // characters are a syntax error; strictly decoded UTF-8 has no lone surrogates). Without one,
  // an object with exactly the schema's keys passes every JSON-level rule once zod accepts its
  // values (strings, safe integers; depth 3; no odd key), and anything else needs only the
  // key/number/depth walk.
  const escapeFree = !text.includes('\\u');
  const inSchemaOrder = isInSchemaOrder(json);
  const clean = escapeFree && (inSchemaOrder || isCleanJson(json, { strings: false }));
  return {
    ok: true,
    json: json as Record<string, unknown>,
    text,
    clean: escapeFree ? clean : undefined,
    inSchemaOrder,
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function reject(reason: RejectReason, code: Problem['code'], message: string): Rejected {
  return { ok: false, reason, problems: [{ path: '', code, message: safeMessage(message) }] };
}
