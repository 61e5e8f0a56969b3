// The list's `next`: an opaque token for the position after which the next page starts. It holds
// a position and nothing else — (stored_at in µs, id), which the reader compares as parameters —
// so there is nothing to forge: a token that decodes to another position is a position a client
// could ask for with `until=`. It is decoded strictly (one exact shape, both numbers in range);
// anything else is a 400, and no part of it ever reaches SQL as text.
import type { DeadLetterPosition } from './deps.ts';
import { formatInstant, instantOfStoredAt } from './instant.ts';

const VERSION = 'v1';
const TEXT = /^v1\.(\d{1,18})\.([1-9]\d{0,15})$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,64}$/;

/** The token for a position (base64url of `v1.<µs>.<id>`). */
export function encodeCursor(position: DeadLetterPosition): string {
  const micros = instantOfStoredAt(position.storedAt);
  if (micros === undefined || !Number.isSafeInteger(position.id) || position.id < 1) {
    // the reader's own output: a bug, not a client's mistake
    throw new Error(`not a ledger position: ${position.storedAt} / ${position.id}`);
  }
  return Buffer.from(`${VERSION}.${micros}.${position.id}`).toString('base64url');
}

/** The position a token stands for, or undefined when it is not one of ours. */
export function decodeCursor(token: string): DeadLetterPosition | undefined {
  if (!BASE64URL.test(token)) return undefined;
  const text = Buffer.from(token, 'base64url').toString('latin1');
  // Node's base64url decoder skips what it cannot read: only the exact encoding of the text counts
  if (Buffer.from(text, 'latin1').toString('base64url') !== token) return undefined;
  const m = TEXT.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id)) return undefined;
  const micros = BigInt(m[1]);
  // years 0001–9999, like any instant the API takes
  if (micros > 253_402_300_799_999_999n) return undefined;
  return { storedAt: formatInstant(micros), id };
}
