import { maskPostgresUrl } from './postgres-url.ts';
import type { SecretKind } from './variables.ts';

export const MASK = '***';
const MAX_SHOWN = 120;

export function isInlinePem(raw: string): boolean {
  return raw.trimStart().startsWith('-----BEGIN ');
}

/** A raw value as it may appear in a message or log: secrets masked, long values shortened. */
export function displayValue(raw: string, secret: SecretKind | undefined): string {
  let shown = raw;
  if (secret === 'full') shown = MASK;
  else if (secret === 'url') shown = maskPostgresUrl(raw);
  else if (secret === 'pem' && isInlinePem(raw)) shown = MASK;
  return shown.length > MAX_SHOWN
    ? `${shown.slice(0, MAX_SHOWN - 40)}… (${shown.length} characters)`
    : shown;
}
