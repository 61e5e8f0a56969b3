import { ORDER_LIMITS } from '@orders/model';

// Validation of lookup keys. Expected failures are values, not exceptions: a malformed key is a
// 400 with a message, decided before any memory or database access.

export type KeyResult<K> = { ok: true; key: K } | { ok: false; message: string };

const UID_MAX = ORDER_LIMITS.string.order.order_uid.max;
/** Ids are PostgreSQL bigint identities (≥ 1) served as JSON numbers, so at most 2^53 − 1. */
export const MAX_ORDER_ID = Number.MAX_SAFE_INTEGER;

/**
 * The model's order_uid rule (`[A-Za-z0-9_-]`, 1..ORDER_LIMITS max), written as a loop because it
 * runs on every request; uid.test.ts checks it agrees with `orderSchema.shape.order_uid`.
 * Anything else — `/`, `.`, `%`, NUL, spaces, non-ASCII — can never name an order.
 */
export function parseOrderUid(raw: string): KeyResult<string> {
  if (raw.length === 0) return { ok: false, message: 'order_uid must not be empty' };
  if (raw.length > UID_MAX) {
    return { ok: false, message: `order_uid must be at most ${UID_MAX} characters` };
  }
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const allowed =
      (c >= 97 && c <= 122) || // a-z
      (c >= 65 && c <= 90) || // A-Z
      (c >= 48 && c <= 57) || // 0-9
      c === 95 || // _
      c === 45; // -
    if (!allowed) {
      return { ok: false, message: 'order_uid must contain only letters, digits, _ and -' };
    }
  }
  return { ok: true, key: raw };
}

/** Decimal digits only (leading zeros allowed), 1 ≤ id ≤ 2^53 − 1. */
export function parseOrderId(raw: string): KeyResult<number> {
  // 2^53 − 1 has 16 digits; allow a few leading zeros but never parse a huge string.
  if (raw.length === 0 || raw.length > 20) return idError();
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return idError();
  }
  const id = Number(raw);
  if (!(id >= 1 && id <= MAX_ORDER_ID)) return idError();
  return { ok: true, key: id };
}

function idError(): { ok: false; message: string } {
  return { ok: false, message: `id must be an integer from 1 to ${MAX_ORDER_ID}` };
}
