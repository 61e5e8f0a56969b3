import { ORDER_LIMITS } from '@orders/model';
import { formatInstant, parseInstant } from '../admin/instant.ts';
import type { OrderSearch, OrderSearchPosition, OrderSearchQuery } from '../deps.ts';
import { ApiError } from '../http-error.ts';
import { readQuery } from '../query.ts';
import { jsonResponse } from '../respond.ts';
import type { Route } from './route.ts';

export const SEARCH_DEFAULT = 20;
export const SEARCH_LIMIT = 100;
/** The read's whole budget (a connection, then the query, ended on the server too). */
export const SEARCH_TIMEOUT_MS = 2_000;
const PARAMS = ['track_number', 'customer_id', 'from', 'to', 'limit', 'cursor'] as const;
// A stored order's track_number and customer_id are at most this long (the model's rule): a
// longer value cannot match, and is refused before it reaches PostgreSQL.
const TEXT_MAX = Math.max(
  ORDER_LIMITS.string.order.track_number.max,
  ORDER_LIMITS.string.order.customer_id.max,
);

const bad = (message: string) => new ApiError('bad_request', message);

/**
 * `GET /orders/search?track_number=&customer_id=&from=&to=&limit=&cursor=` — every stored order
 * matching all the given conditions (at least one), newest first by date_created, as the summaries
 * of `/orders/recent`, a page at a time: `next` is the cursor of the following page, or null.
 * Refusals name the parameter and never echo the value given.
 */
export function ordersSearchRoute(search: OrderSearch): Route {
  return {
    path: '/orders/search',
    handler: async (c) => {
      const query = parseSearchQuery(c.req.url);
      let page: Awaited<ReturnType<OrderSearch>>;
      try {
        page = await search(query, { timeoutMs: SEARCH_TIMEOUT_MS, signal: c.req.raw.signal });
      } catch (error) {
        throw new ApiError('unavailable', 'order search unavailable', {
          retryAfter: 1,
          cause: error,
        });
      }
      return jsonResponse({
        orders: page.orders,
        next: page.next === null ? null : encodeSearchCursor(page.next),
      });
    },
  };
}

/** The search's query string: every parameter known and valid, or a 400 naming the first bad one. */
export function parseSearchQuery(url: string): OrderSearchQuery {
  const read = readQuery(url, PARAMS, { unknown: 'refuse' });
  if (!read.ok) throw bad(read.message);
  const v = read.values;
  const query: OrderSearchQuery = { limit: SEARCH_DEFAULT };
  if (v.track_number !== undefined) query.trackNumber = text('track_number', v.track_number);
  if (v.customer_id !== undefined) query.customerId = text('customer_id', v.customer_id);
  const from = v.from === undefined ? undefined : instant('from', v.from);
  const to = v.to === undefined ? undefined : instant('to', v.to);
  if (from !== undefined && to !== undefined && from >= to) throw bad('from must be before to');
  if (from !== undefined) query.from = formatInstant(from);
  if (to !== undefined) query.to = formatInstant(to);
  if (
    query.trackNumber === undefined &&
    query.customerId === undefined &&
    from === undefined &&
    to === undefined
  ) {
    throw bad('give at least one of track_number, customer_id, from, to');
  }
  if (v.limit !== undefined) {
    const n = /^\d{1,3}$/.test(v.limit) ? Number(v.limit) : 0;
    if (n < 1 || n > SEARCH_LIMIT) throw bad(`limit must be an integer from 1 to ${SEARCH_LIMIT}`);
    query.limit = n;
  }
  if (v.cursor !== undefined) {
    const after = decodeSearchCursor(v.cursor);
    if (after === undefined) throw bad('cursor is not one this API gave (use next as it came)');
    query.after = after;
  }
  return query;
}

// PostgreSQL text cannot hold NUL, and no stored value holds a control character worth finding.
function text(name: string, raw: string): string {
  let ok = raw.length >= 1 && raw.length <= TEXT_MAX;
  for (let i = 0; ok && i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f)) ok = false;
  }
  if (!ok) throw bad(`${name} must be 1 to ${TEXT_MAX} characters without control characters`);
  return raw;
}

function instant(name: string, raw: string): bigint {
  // `+02:00` typed unencoded arrives as ` 02:00` (`+` is a space in a query string)
  const micros = parseInstant(raw.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (micros === undefined) {
    throw bad(
      `${name} must be an ISO 8601 date (2026-12-03) or date-time with a zone (2026-12-03T14:05:00Z)`,
    );
  }
  return micros;
}

// The cursor holds a position and nothing else — (date_created in µs, id), compared in SQL as
// parameters — so a token decoding to another position is one a client could reach with `to=`.
// It is read strictly (one exact text, numbers in range); anything else is a 400.
const CURSOR_TEXT = /^s1\.(0|-?[1-9]\d{0,17})\.([1-9]\d{0,15})$/;
const CURSOR_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const MIN_MICROS = -62_135_596_800_000_000n; // 0001-01-01
const MAX_MICROS = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999

export function encodeSearchCursor(position: OrderSearchPosition): string {
  return Buffer.from(`s1.${position.dateCreatedMicros}.${position.id}`).toString('base64url');
}

export function decodeSearchCursor(token: string): OrderSearchPosition | undefined {
  if (!CURSOR_TOKEN.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url').toString('latin1');
  // Node's decoder skips what it cannot read: only the exact encoding of the text counts
  if (Buffer.from(raw, 'latin1').toString('base64url') !== token) return undefined;
  const m = CURSOR_TEXT.exec(raw);
  if (!m?.[1] || !m[2]) return undefined;
  const id = Number(m[2]);
  const micros = BigInt(m[1]);
  if (!Number.isSafeInteger(id) || micros < MIN_MICROS || micros > MAX_MICROS) return undefined;
  return { dateCreatedMicros: micros, id };
}
