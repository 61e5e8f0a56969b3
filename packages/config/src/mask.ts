import { noControlCharacters } from './parsers.ts';
import { maskPostgresUrl } from './postgres-url.ts';
import type { SecretKind } from './variables.ts';

export const MASK = '***';
const MAX_SHOWN = 120;

/**
 * A key variable's value is shown only when it is plainly a file path. PEM anywhere in it, a
 * newline, or a run of base64 as long as a PEM line (a key pasted without its armour, or a PEM file
 * in base64 as some platforms store it) may be key text; a path hidden by mistake costs little.
 */
export function mayBeKeyText(raw: string): boolean {
  return raw.includes('-----') || !noControlCharacters(raw) || /[A-Za-z0-9+/=]{64}/.test(raw);
}

/** A raw value as it may appear in a message or log: secrets masked, long values shortened. */
export function displayValue(raw: string, secret: SecretKind | undefined): string {
  let shown = raw;
  if (secret === 'full') shown = MASK;
  else if (secret === 'url') shown = maskPostgresUrl(raw);
  else if (secret === 'pem' && mayBeKeyText(raw)) shown = MASK;
  return shown.length > MAX_SHOWN
    ? `${shown.slice(0, MAX_SHOWN - 40)}… (${shown.length} characters)`
    : shown;
}
