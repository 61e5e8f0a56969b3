import type { ConfigIssue } from './config-error.ts';
import { displayValue } from './mask.ts';
import type { VariableEntry } from './variables.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a value came from: the name actually set (maybe a deprecated alias) and its raw text. */
export type Source = { name: string; raw: string };

/** One variable read from the environment: its value (set or default), or why it is refused. */
export type VariableRead =
  | { status: 'unset'; source: undefined }
  | { status: 'ok'; source: Source | undefined; value: unknown }
  | { status: 'invalid'; source: Source | undefined; issue: ConfigIssue };

/**
 * The rules every variable is read by: unset or blank means the default, values are trimmed
 * except secrets, a deprecated name is read with a warning (the new name wins when both are set),
 * and a refused value is shown masked as its kind of secret requires.
 */
export function readVariable(env: Env, spec: VariableEntry, warnings: string[]): VariableRead {
  const source = readSource(env, spec, warnings);
  const raw = source?.raw ?? spec.default;
  if (raw === undefined) return { status: 'unset', source: undefined };
  const parsed = spec.parser.parse(raw);
  if (parsed.ok) return { status: 'ok', source, value: parsed.value };
  return {
    status: 'invalid',
    source,
    issue: {
      code: 'invalid',
      name: source?.name ?? spec.name,
      expected: parsed.expected ?? spec.parser.expected,
      value: displayValue(raw, spec.secret),
    },
  };
}

function readSource(env: Env, spec: VariableEntry, warnings: string[]): Source | undefined {
  const own = present(env, spec.name, spec.secret !== undefined);
  for (const alias of spec.aliases ?? []) {
    const old = present(env, alias, spec.secret !== undefined);
    if (old === undefined) continue;
    if (own !== undefined) {
      warnings.push(`${alias} is deprecated and ignored because ${spec.name} is set`);
      continue;
    }
    warnings.push(`${alias} is deprecated: use ${spec.name}`);
    return { name: alias, raw: old };
  }
  return own === undefined ? undefined : { name: spec.name, raw: own };
}

/** Unset and empty (or blank) count as not set; values are trimmed except secrets. */
function present(env: Env, name: string, verbatim: boolean): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return verbatim ? raw : raw.trim();
}
