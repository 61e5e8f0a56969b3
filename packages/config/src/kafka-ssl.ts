import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaSslConfig } from './config.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { displayValue } from './mask.ts';
import type { PemSource } from './parsers.ts';
import { type VariableSpec, variables } from './variables.ts';

export type ReadKafkaSslResult =
  | { ok: true; ssl: false | ConnectionOptions }
  | { ok: false; error: ConfigError };

const FIELDS = [
  ['ca', 'KAFKA_SSL_CA'],
  ['cert', 'KAFKA_SSL_CERT'],
  ['key', 'KAFKA_SSL_KEY'],
] as const;

/**
 * kafkajs' `ssl` option from `config.kafka.ssl`: reads the files it names (loadConfig reads
 * none). Call it once at start; a missing or non-PEM file comes back as a ConfigError naming the
 * variable, like any other configuration mistake.
 */
export function readKafkaSsl(
  ssl: false | KafkaSslConfig,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ReadKafkaSslResult {
  if (ssl === false) return { ok: true, ssl: false };
  const options: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized };
  const issues: ConfigIssue[] = [];
  for (const [field, name] of FIELDS) {
    const source: PemSource | undefined = ssl[field];
    if (source === undefined) continue;
    if ('pem' in source) {
      options[field] = source.pem;
      continue;
    }
    const read = readPem(source.path, readFile);
    if (typeof read === 'string') {
      options[field] = read;
      continue;
    }
    // A "path" may be a key pasted without its PEM armour: shown as any value of its variable.
    const value = displayValue(source.path, (variables[name] as VariableSpec<unknown>).secret);
    issues.push({ code: 'unreadable', name, expected: read.expected, value });
  }
  return issues.length > 0
    ? { ok: false, error: new ConfigError(issues) }
    : { ok: true, ssl: options };
}

function readPem(path: string, readFile: (path: string) => string): string | { expected: string } {
  let content: string;
  try {
    content = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'read error';
    return { expected: `a readable PEM file (${code})` };
  }
  return content.includes('-----BEGIN ') ? content : { expected: 'a file holding PEM text' };
}
