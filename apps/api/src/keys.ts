import { ORDER_LIMITS, ORDER_UID_PATTERN } from '@orders/model';

// Validation of lookup keys. Expected failures are values, not exceptions: a malformed key is a
// 400 with a message, decided before any memory or database access.

export type KeyResult<K> = { ok: true; key: K } | { ok: false; message: string };

const { min: UID_MIN, max: UID_MAX } = ORDER_LIMITS.string.order.order_uid;
/** Ids are PostgreSQL bigint identities (≥ 1) served as JSON numbers, so at most 2^53 − 1. */
export const MAX_ORDER_ID = Number.MAX_SAFE_INTEGER;

/**
 * The model's order_uid rule: its characters (`ORDER_UID_PATTERN`, `[A-Za-z0-9_-]`) and length
 * (`ORDER_LIMITS`); keys.test.ts checks it agrees with `orderSchema.shape.order_uid`.
 * Anything else — `/`, `.`, `%`, NUL, spaces, non-ASCII — can never name an order. The length is
 * checked first, so a 10 KB key costs one comparison.
 */
export function parseOrderUid(raw: string): KeyResult<string> {
  if (raw.length < UID_MIN || raw.length > UID_MAX) {
    return { ok: false, message: `order_uid must be ${UID_MIN} to ${UID_MAX} characters long` };
  }
  if (!ORDER_UID_PATTERN.test(raw)) {
    return { ok: false, message: 'order_uid must contain only letters, digits, _ and -' };
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
