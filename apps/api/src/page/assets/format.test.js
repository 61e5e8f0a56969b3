import { describe, expect, it } from 'vitest';
import {
  formatAmount,
  formatBytes,
  formatEpochSeconds,
  formatIsoDate,
  formatNumber,
  formatRate,
  text,
} from './format.js';

describe('formatAmount', () => {
  it("shows minor units in major units with the currency's decimals and code", () => {
    expect(formatAmount(1817, 'USD', 'en-US')).toBe('18.17 USD');
    expect(formatAmount(5, 'EUR', 'en-US')).toBe('0.05 EUR');
    expect(formatAmount(0, 'RUB', 'en-US')).toBe('0.00 RUB');
    expect(formatAmount(150_000, 'RUB', 'de-DE')).toBe('1.500,00 RUB');
    expect(formatAmount(1500, 'JPY', 'en-US')).toBe('1,500 JPY'); // no minor unit
    expect(formatAmount(1500, 'KWD', 'en-US')).toBe('1.500 KWD'); // three decimals
    expect(formatAmount(1817, 'XQZ', 'en-US')).toBe('18.17 XQZ'); // unknown code: two
  });

  it('is exact for the largest amounts', () => {
    expect(formatAmount(Number.MAX_SAFE_INTEGER, 'USD', 'en-US')).toBe('90,071,992,547,409.91 USD');
  });

  it('shows what validation would refuse as given, and dashes a missing amount', () => {
    expect(formatAmount(1500, '', 'en-US')).toBe('1,500');
    expect(formatAmount(1500, 'not a code', 'en-US')).toBe('1,500 not a code');
    expect(formatAmount(12.5, 'EUR', 'en-US')).toBe('12.5 EUR');
    expect(formatAmount(-3, 'EUR', 'en-US')).toBe('-3 EUR');
    expect(formatAmount('12', 'USD', 'en-US')).toBe('12 USD');
    expect(formatAmount(undefined, 'USD', 'en-US')).toBe('–');
  });
});

describe('dates', () => {
  it('formats an ISO timestamp in UTC and keeps the machine form', () => {
    const shown = formatIsoDate('2021-11-26T06:22:19Z', 'en-GB');
    expect(shown.datetime).toBe('2021-11-26T06:22:19.000Z');
    expect(shown.text).toContain('06:22:19');
    expect(shown.text).toContain('2021');
    expect(shown.text.endsWith(' UTC')).toBe(true);
  });

  it('shows an unparsable timestamp as given', () => {
    expect(formatIsoDate('not a date')).toEqual({ text: 'not a date', datetime: null });
  });

  it('reads payment_dt as Unix seconds', () => {
    expect(formatEpochSeconds(1637907727, 'en-GB').datetime).toBe('2021-11-26T06:22:07.000Z');
    expect(formatEpochSeconds(null).text).toBe('–');
  });
});

describe('counters', () => {
  it('writes the rate with one decimal below ten per second', () => {
    expect(formatRate(null)).toBe('–');
    expect(formatRate(2.345, 'en-US')).toBe('2.3/s');
    expect(formatRate(1234.6, 'en-US')).toBe('1,235/s');
  });

  it('writes counts and sizes', () => {
    expect(formatNumber(1234567, 'en-US')).toBe('1,234,567');
    expect(formatBytes(512, 'en-US')).toBe('512 B');
    expect(formatBytes(1536, 'en-US')).toBe('1.5 KB');
    expect(formatBytes(250 * 1024 * 1024, 'en-US')).toBe('250 MB');
  });
});

describe('text', () => {
  it('dashes empty values and leaves markup as plain characters', () => {
    expect(text('')).toBe('–');
    expect(text(undefined)).toBe('–');
    expect(text(0)).toBe('0');
    expect(text('<b>x</b>')).toBe('<b>x</b>');
  });
});
