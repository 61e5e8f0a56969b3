// How values are written on the page. Money in an order is an integer count of the currency's
// minor units (the model's rule, packages/model/README.md: 1817 USD cents), shown in major units
// with the currency's ISO 4217 decimals and its code, never a symbol ($ is several currencies):
// `18.17 USD`, `1,500 JPY`, `1.500 KWD`. The raw JSON keeps the integers. Dates are shown in UTC,
// as sent.

const DASH = '–';

/**
 * @param {unknown} value
 * @param {string | undefined} [locale] BCP 47 tag; the browser's own when omitted
 * @returns {string}
 */
export function formatNumber(value, locale) {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return value == null ? DASH : String(value);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 20 }).format(value);
}

/** ISO 4217 decimals per currency code, from Intl (an unknown but well-formed code gets 2). */
const decimalsByCurrency = new Map();

/**
 * @param {string} currency
 * @returns {number | undefined} undefined when Intl refuses the code
 */
function currencyDecimals(currency) {
  let decimals = decimalsByCurrency.get(currency);
  if (decimals === undefined && !decimalsByCurrency.has(currency)) {
    try {
      decimals = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits;
    } catch {
      decimals = undefined;
    }
    decimalsByCurrency.set(currency, decimals);
  }
  return decimals;
}

/**
 * `18.17 USD` for (1817, 'USD'): minor units shown in major units, with the code. Without a usable
 * currency, or for a value that is not a whole number ≥ 0 (validation refuses those), the value is
 * shown as given.
 * @param {unknown} amount
 * @param {unknown} currency
 * @param {string | undefined} [locale]
 * @returns {string}
 */
export function formatAmount(amount, currency, locale) {
  const decimals = typeof currency === 'string' ? currencyDecimals(currency) : undefined;
  if (decimals === undefined || !Number.isSafeInteger(amount) || Number(amount) < 0) {
    const number = formatNumber(amount, locale);
    if (number === DASH || typeof currency !== 'string' || currency === '') return number;
    return `${number} ${currency}`;
  }
  // The decimal point is placed in the digits, not by dividing (1817 / 100 is not exact in binary,
  // and large amounts would lose cents); Intl formats a decimal string exactly.
  const digits = String(amount).padStart(decimals + 1, '0');
  const major =
    decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  const number = new Intl.NumberFormat(locale, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    // @ts-expect-error: Intl formats numeric strings exactly (ES2023); the lib types say number
  }).format(major);
  return `${number} ${currency}`;
}

/**
 * @param {Date} date
 * @param {string | undefined} locale
 */
function formatUtc(date, locale) {
  const text = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone: 'UTC',
  }).format(date);
  return `${text} UTC`;
}

/**
 * An ISO timestamp for display, plus the machine-readable form for a <time> element. A value that
 * does not parse is shown as given.
 * @param {unknown} iso
 * @param {string | undefined} [locale]
 * @returns {{ text: string, datetime: string | null }}
 */
export function formatIsoDate(iso, locale) {
  if (typeof iso !== 'string' || iso === '') return { text: DASH, datetime: null };
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { text: iso, datetime: null };
  return { text: formatUtc(date, locale), datetime: date.toISOString() };
}

/**
 * A Unix time in seconds (payment.payment_dt) for display.
 * @param {unknown} seconds
 * @param {string | undefined} [locale]
 * @returns {{ text: string, datetime: string | null }}
 */
export function formatEpochSeconds(seconds, locale) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    return { text: seconds == null ? DASH : String(seconds), datetime: null };
  }
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return { text: String(seconds), datetime: null };
  return { text: formatUtc(date, locale), datetime: date.toISOString() };
}

/**
 * Orders per second: one decimal below 10, whole numbers above.
 * @param {number | null} perSecond null until two samples exist
 * @param {string | undefined} [locale]
 * @returns {string}
 */
export function formatRate(perSecond, locale) {
  if (perSecond === null || !Number.isFinite(perSecond)) return DASH;
  const digits = perSecond < 10 ? 1 : 0;
  const text = new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(perSecond);
  return `${text}/s`;
}

/**
 * @param {unknown} bytes
 * @param {string | undefined} [locale]
 * @returns {string}
 */
export function formatBytes(bytes, locale) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  return `${text} ${units[unit]}`;
}

/**
 * Text for a field that may be empty: empty strings are shown as a dash so rows do not look broken.
 * @param {unknown} value
 * @returns {string}
 */
export function text(value) {
  if (value === null || value === undefined || value === '') return DASH;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
