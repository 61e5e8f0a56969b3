/**
 * `invalid`: the value does not parse. `required`: another setting needs this one. `conflict`: two
 * settings disagree. `unreadable`: a file it names cannot be read (readKafkaSsl).
 */
export type ConfigIssueCode = 'invalid' | 'required' | 'conflict' | 'unreadable';

export type ConfigIssue = {
  code: ConfigIssueCode;
  /** The variable as the operator wrote it (a deprecated alias when that is what was set). */
  name: string;
  /** What would be accepted, completing "expected …". */
  expected: string;
  /** The value as given, secrets masked and long values shortened; absent when unset. */
  value?: string;
};

/**
 * Every problem of one configuration. Returned, never thrown: an app's main.ts prints `message`
 * (already final and free of secrets) and exits 1 without a stack trace.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.issues = issues;
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const head =
    issues.length === 1
      ? 'Invalid configuration (1 problem):'
      : `Invalid configuration (${issues.length} problems):`;
  const lines = issues.map(
    (issue) =>
      `  ${issue.name}: expected ${issue.expected}, got ${issue.value === undefined ? 'nothing' : JSON.stringify(issue.value)}`,
  );
  return [head, ...lines].join('\n');
}

/** The text to print; the same as `error.message`. */
export function formatConfigError(error: ConfigError): string {
  return error.message;
}
