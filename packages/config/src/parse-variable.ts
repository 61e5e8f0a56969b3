import type { ParseResult } from './parsers.ts';
import {
  type VariableName,
  type VariableSpec,
  type VariableValues,
  variables,
} from './variables.ts';

/**
 * Parses one value with a variable's own rule, e.g. a producer flag that overrides
 * PRODUCER_RATE: `parseVariable('PRODUCER_RATE', '500')`. On failure `expected` is always set.
 */
export function parseVariable<K extends VariableName>(
  name: K,
  raw: string,
): { ok: true; value: NonNullable<VariableValues[K]> } | { ok: false; expected: string } {
  const parser = variables[name].parser;
  const result = parser.parse(raw.trim()) as ParseResult<NonNullable<VariableValues[K]>>;
  return result.ok ? result : { ok: false, expected: result.expected ?? parser.expected };
}

/**
 * The raw text an unset variable stands for (`undefined` when it has none: optional or derived),
 * e.g. for tools such as the local infra that read a few variables without the whole config.
 */
export function variableDefault(name: VariableName): string | undefined {
  return (variables[name] as VariableSpec<unknown>).default;
}
