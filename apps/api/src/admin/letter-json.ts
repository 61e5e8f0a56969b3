// A ledger row as the admin API shows it. Raw values are hostile: text only when it is valid UTF-8
// (decoded strictly, nothing replaced), base64 otherwise, and every response's JSON escapes the
// characters that could matter if it were ever read as HTML or script (adminJson).
import { decodeOrder, type Problem } from '@orders/model';
import { JSON_TYPE, NOSNIFF } from '../respond.ts';
import type { DeadLetterRecord } from './deps.ts';
import { formatInstant, instantOfStoredAt } from './instant.ts';

/** The key: its text when it is valid UTF-8, else `{ base64 }`; null when the message had none. */
export type KeyJson = string | { base64: string } | null;

export type DeadLetterJson = {
  id: number;
  reason: string;
  problems: Problem[];
  source: { topic: string; partition: number; offset: string; timestamp: string | null };
  key: KeyJson;
  uid: string | null;
  /** the value as text when it is valid UTF-8, else null (then `value_base64`, or a tombstone) */
  value: string | null;
  value_base64?: string;
  /** the original value's size in bytes (null: a tombstone) */
  size: number | null;
  /** the ledger kept only the first bytes of the value (it was over the ledger's cap) */
  truncated: boolean;
  stored_at: string;
  redrives: DeadLetterRecord['redrives'];
};

/**
 * The bytes as text, or undefined when they are not UTF-8. A BOM is kept (it is one of the bytes).
 * `cut`: the bytes end where the ledger cut them, maybe inside a character; that incomplete end
 * (at most 3 bytes) is left out rather than making the whole value base64.
 */
export function utf8Text(bytes: Uint8Array, cut = false): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, {
      stream: cut,
    });
  } catch {
    return undefined;
  }
}

const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** The ledger's problems as `{ path, code, message }` strings, whatever the jsonb held. */
function problemsOf(stored: unknown): Problem[] {
  if (!Array.isArray(stored)) return [];
  return stored.map((p) => {
    const o = (p ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return { path: text(o.path), code: text(o.code), message: text(o.message) } as Problem;
  });
}

export function letterJson(letter: DeadLetterRecord): DeadLetterJson {
  const value = letter.value;
  const text = value === null ? undefined : utf8Text(value, letter.truncated);
  const keyText = letter.key === null ? undefined : utf8Text(letter.key);
  const micros = instantOfStoredAt(letter.storedAt);
  return {
    id: letter.id,
    reason: letter.reason,
    problems: problemsOf(letter.problems),
    source: {
      topic: letter.source.topic,
      partition: letter.source.partition,
      offset: letter.source.offset,
      timestamp:
        letter.source.timestamp === null ? null : new Date(letter.source.timestamp).toISOString(),
    },
    key: letter.key === null ? null : (keyText ?? { base64: base64(letter.key) }),
    uid: letter.uid,
    value: text ?? null,
    ...(value !== null && text === undefined ? { value_base64: base64(value) } : {}),
    size: letter.size,
    truncated: letter.truncated,
    stored_at: micros === undefined ? letter.storedAt : formatInstant(micros),
    redrives: letter.redrives,
  };
}

/**
 * Would the letter pass now, with the running model and KAFKA_MAX_BYTES: `true`, or the problems
 * it would get today (a schema or limit changed since, or it was fixed upstream and this copy was
 * not). A value the ledger kept cut cannot be re-validated whole: it fails on its size when that is
 * over the limit, else says it cannot be judged. rejected_by_database letters passed the model
 * when they came, so they pass here: the check is the model's, not the database's.
 */
export function wouldPassNow(letter: DeadLetterRecord, maxBytes: number): true | Problem[] {
  if (letter.truncated) {
    const size = letter.size ?? 0;
    if (size > maxBytes) {
      return [{ path: '', code: 'too_long', message: `value is ${size} bytes, limit ${maxBytes}` }];
    }
    const kept = letter.value?.byteLength ?? 0;
    return [
      {
        path: '',
        code: 'invalid',
        message: `the ledger kept ${kept} of the value's ${size} bytes: it cannot be re-validated`,
      },
    ];
  }
  const result = decodeOrder(letter.value, { maxBytes });
  return result.ok ? true : result.problems;
}

// JSON's own escapes cover control characters; these are escaped too, so no text of a letter
// reads as markup (`<img onerror>`), an entity or a line break of script even if a client ever
// put the JSON into HTML, and no bidi control (Trojan Source) reorders what a terminal or an
// editor shows of the raw response. Outside strings JSON has none of them, so the document means
// the same.
const UNSAFE = /[<>&\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const escapeUnsafe = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** An admin response: JSON with the characters above escaped, never cached. */
export function adminJson(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value).replace(UNSAFE, escapeUnsafe), {
    status,
    headers: {
      'content-type': JSON_TYPE,
      'cache-control': 'no-store',
      'x-content-type-options': NOSNIFF,
    },
  });
}
