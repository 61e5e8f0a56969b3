// Instants as the admin API takes and gives them: ISO 8601 / RFC 3339 text, to the microsecond
// (PostgreSQL's precision; a JS Date keeps milliseconds). Microseconds since the epoch travel as
// bigint: nothing is rounded on the way between a query string, a cursor and SQL.

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:\d{2}))?$/;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * `2026-12-03`, `2026-12-03T14:05Z`, `2026-12-03T14:05:09.123456+02:00` → µs since the epoch, or
 * undefined for anything else: a date alone is midnight UTC, a time needs its zone, fields must
 * exist (no 2026-02-30, no 24:00, no leap second), years 0001–9999.
 */
export function parseInstant(text: string): bigint | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS[month - 1] ?? 0);
  if (day > monthDays || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // years below 100 stay themselves (Date.UTC's do not)
  date.setUTCHours(Number(h), Number(mi) - offsetMinutes, Number(s), 0);
  return BigInt(date.getTime()) * 1000n + BigInt(frac.padEnd(6, '0'));
}

/** µs since the epoch → `YYYY-MM-DDTHH:MM:SS.ffffffZ`, which PostgreSQL reads back exactly. */
export function formatInstant(micros: bigint): string {
  const ms = micros >= 0n ? micros / 1000n : (micros - 999n) / 1000n;
  const rest = micros - ms * 1000n;
  const iso = new Date(Number(ms)).toISOString(); // …SS.mmmZ
  return `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** The reader's stored_at (`…SS.ffffffZ`, what formatInstant writes) → µs; undefined otherwise. */
export function instantOfStoredAt(text: string): bigint | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(text)
    ? parseInstant(text)
    : undefined;
}
