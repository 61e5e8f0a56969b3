import { ConfigError, type ConfigIssue } from './config-error.ts';
import { type Env, readVariable } from './source.ts';
import { type VariableName, type VariableValues, variableList } from './variables.ts';

export type ReadVariablesResult<K extends VariableName> =
  | { ok: true; values: Pick<VariableValues, K>; warnings: string[] }
  | { ok: false; error: ConfigError; warnings: string[] };

/**
 * A few variables read by loadConfig's own rules (unset or blank = the default, trimmed except
 * secrets, deprecated names with a warning, every bad value in one ConfigError, secrets masked),
 * leaving the others alone and without loadConfig's cross-checks: for tools that need a handful of
 * settings and must work when an unrelated variable is invalid, such as the local infra.
 */
export function readVariables<const K extends VariableName>(
  env: Env,
  names: readonly K[],
): ReadVariablesResult<K> {
  const wanted = new Set<VariableName>(names);
  const warnings: string[] = [];
  const issues: ConfigIssue[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};
  for (const spec of variableList) {
    if (!wanted.has(spec.name)) continue;
    const read = readVariable(env, spec, warnings);
    if (read.status === 'ok') values[spec.name] = read.value;
    else if (read.status === 'invalid') issues.push(read.issue);
  }
  if (issues.length > 0) return { ok: false, error: new ConfigError(issues), warnings };
  return { ok: true, values: values as Pick<VariableValues, K>, warnings };
}
