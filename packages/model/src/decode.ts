// Kafka value bytes → Order: the whole per-message decode step, never throws.
import type { Order } from './order.ts';
import { type Problem, safeMessage } from './problem.ts';
import { validateOrder } from './validate.ts';

export type RejectReason = 'empty' | 'too_large' | 'not_json' | 'not_object' | 'invalid_order';

export type DecodeResult =
  | { ok: true; order: Order }
  | { ok: false; reason: RejectReason; problems: Problem[] };

// JSON text must be UTF-8 (RFC 8259); a lenient decoder would silently turn bad bytes into U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeOrder(value: Uint8Array | null, opts: { maxBytes: number }): DecodeResult {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(value));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return reject('not_json', 'syntax', `not UTF-8 JSON: ${detail}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed;
    return reject('not_object', 'type', `expected a JSON object, got ${kind}`);
  }
  const result = validateOrder(parsed);
  if (result.ok) return result;
  return { ok: false, reason: 'invalid_order', problems: result.problems };
}

function reject(reason: RejectReason, code: Problem['code'], message: string): DecodeResult {
  return { ok: false, reason, problems: [{ path: '', code, message: safeMessage(message) }] };
}
