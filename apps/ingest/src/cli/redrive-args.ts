// The redrive CLI's flags and environment, read with node:util parseArgs and checked in full:
// every bad flag is reported at once, each message naming the flag (never echoing a long or
// hostile value). The token comes from the environment only: an argument shows in `ps`.
import { parseArgs } from 'node:util';
import { REDRIVE_MAX_LETTERS, REDRIVE_RATE } from '@orders/api';
import { DEAD_LETTER_REASONS, PROBLEM_CODES } from '@orders/model';
import { parseInstant } from './instant.ts';
import { DEFAULT_URL, TOKEN_VARIABLE, USAGE } from './usage.ts';

export { DEFAULT_URL, parseInstant, TOKEN_VARIABLE, USAGE };

/** The model keeps an invalid order's uid for its letter when it is 1 to 128 characters. */
const UID_MAX = 128;
const PARTITION_MAX = 2_147_483_647;

export type RedriveFilter = {
  reason?: string;
  problem?: string;
  uid?: string;
  partition?: number;
  since?: string;
  until?: string;
};

export type RedriveArgs = {
  url: string;
  token: string;
  /** resume or watch this run instead of starting one */
  run?: number;
  ids?: number[];
  filter?: RedriveFilter;
  dryRun: boolean;
  rate?: number;
  again: boolean;
  includeRedriven: boolean;
  /** the final run as JSON on stdout instead of the summary */
  json: boolean;
  /** after the run is done, how long to wait for ingest to record what it made of the letters */
  outcomeWaitMs: number;
};

export type ParsedArgs =
  | { ok: true; args: RedriveArgs }
  | { ok: true; help: true }
  | { ok: false; errors: string[] };

const OPTIONS = {
  reason: { type: 'string' },
  problem: { type: 'string' },
  uid: { type: 'string' },
  partition: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  ids: { type: 'string' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  rate: { type: 'string' },
  again: { type: 'boolean' },
  'include-redriven': { type: 'boolean' },
  run: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
  'outcome-wait': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = keyof typeof OPTIONS;
const FILTER_FLAGS = ['reason', 'problem', 'uid', 'partition', 'since', 'until'] as const;
const SELECTION_FLAGS = ['ids', 'all', ...FILTER_FLAGS] as const;
// with --run the run's own request holds these
const START_ONLY = [...SELECTION_FLAGS, 'dry-run', 'rate', 'again', 'include-redriven'] as const;

// control characters, as hostile input could hold (a flag's value is not echoed anyway)
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

function integer(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** argv without node and the script; `env` for the token. */
export function parseRedriveArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): ParsedArgs {
  const errors: string[] = [];
  // pnpm passes the `--` of `pnpm redrive -- --flags` through
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values, tokens } = parseArgs({
    args,
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const seen = new Map<string, number>();
  // an unknown flag's value (`--token secret`) is read as a positional: it belongs to that flag
  let unknownTakesNext = false;
  for (const token of tokens) {
    const takesThis = unknownTakesNext;
    unknownTakesNext = false;
    if (token.kind === 'positional') {
      if (!takesThis) {
        errors.push(`unexpected argument at position ${token.index + 1}: flags start with --`);
      }
    } else if (token.kind === 'option') {
      const name = token.name;
      const known = name in OPTIONS;
      if (!known) unknownTakesNext = token.value === undefined;
      if (name === 'token') {
        errors.push(`--token is not accepted: set ${TOKEN_VARIABLE} (an argument shows in ps)`);
      } else if (!known) {
        errors.push(`unknown flag ${token.rawName.length > 40 ? 'given' : token.rawName}`);
      } else {
        const type = OPTIONS[name as OptionName].type;
        // `--rate --all`: parseArgs would take the next flag as the value
        const missing =
          token.value === undefined || (!token.inlineValue && token.value.startsWith('--'));
        if (type === 'string' && missing) errors.push(`--${name} needs a value`);
        if (type === 'boolean' && token.value !== undefined) {
          errors.push(`--${name} takes no value`);
        }
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
    }
  }
  for (const [name, n] of seen) if (n > 1) errors.push(`--${name} is given ${n} times`);
  if (values.help === true && errors.length === 0) return { ok: true, help: true };

  const text = (name: OptionName): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const flag = (name: OptionName): boolean => values[name] === true;

  const filter: RedriveFilter = {};
  const reason = text('reason');
  if (reason !== undefined) {
    if ((DEAD_LETTER_REASONS as readonly string[]).includes(reason)) filter.reason = reason;
    else errors.push(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}`);
  }
  const problem = text('problem');
  if (problem !== undefined) {
    if ((PROBLEM_CODES as readonly string[]).includes(problem)) filter.problem = problem;
    else errors.push(`--problem must be one of ${PROBLEM_CODES.join(', ')}`);
  }
  const uid = text('uid');
  if (uid !== undefined) {
    if (uid.length >= 1 && uid.length <= UID_MAX && !hasControl(uid)) filter.uid = uid;
    else errors.push(`--uid must be 1 to ${UID_MAX} characters without control characters`);
  }
  const partition = text('partition');
  if (partition !== undefined) {
    const n = integer(partition, 0, PARTITION_MAX);
    if (n === undefined) errors.push(`--partition must be an integer from 0 to ${PARTITION_MAX}`);
    else filter.partition = n;
  }
  const instants: Partial<Record<'since' | 'until', number>> = {};
  for (const name of ['since', 'until'] as const) {
    const raw = text(name);
    if (raw === undefined) continue;
    const ms = parseInstant(raw);
    if (ms === undefined) {
      errors.push(
        `--${name} must be an ISO 8601 date (2026-12-03) or date-time with a zone (2026-12-03T14:05:00Z)`,
      );
    } else {
      filter[name] = raw;
      instants[name] = ms;
    }
  }
  if (
    instants.since !== undefined &&
    instants.until !== undefined &&
    instants.since >= instants.until
  ) {
    errors.push('--since must be before --until');
  }

  let ids: number[] | undefined;
  const idsText = text('ids');
  if (idsText !== undefined) {
    const parts = idsText.split(',');
    const parsed = parts.map((p) => integer(p.trim(), 1, Number.MAX_SAFE_INTEGER));
    if (parts.length > REDRIVE_MAX_LETTERS) {
      errors.push(`--ids takes at most ${REDRIVE_MAX_LETTERS} ids`);
    } else if (parsed.some((n) => n === undefined)) {
      errors.push('--ids must be letter ids (integers ≥ 1) separated by commas');
    } else {
      ids = [...new Set(parsed as number[])];
    }
  }

  let rate: number | undefined;
  const rateText = text('rate');
  if (rateText !== undefined) {
    rate = integer(rateText, REDRIVE_RATE.min, REDRIVE_RATE.max);
    if (rate === undefined) {
      errors.push(`--rate must be an integer from ${REDRIVE_RATE.min} to ${REDRIVE_RATE.max}`);
    }
  }

  let run: number | undefined;
  const runText = text('run');
  if (runText !== undefined) {
    run = integer(runText, 1, Number.MAX_SAFE_INTEGER);
    if (run === undefined) errors.push('--run must be a run id (an integer ≥ 1)');
  }

  let outcomeWaitMs = 30_000;
  const waitText = text('outcome-wait');
  if (waitText !== undefined) {
    const s = integer(waitText, 0, 3600);
    if (s === undefined) errors.push('--outcome-wait must be whole seconds from 0 to 3600');
    else outcomeWaitMs = s * 1000;
  }

  let url = DEFAULT_URL;
  const urlText = text('url');
  if (urlText !== undefined) {
    const parsed = URL.canParse(urlText) ? new URL(urlText) : undefined;
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      errors.push('--url must be an http:// or https:// URL');
    } else if (parsed.username !== '' || parsed.password !== '') {
      errors.push(`--url must not hold credentials: set ${TOKEN_VARIABLE}`);
    } else if (parsed.search !== '' || parsed.hash !== '') {
      errors.push('--url must not have a query or fragment');
    } else {
      url = parsed.href.replace(/\/+$/, '');
    }
  }

  // what is selected: exactly one of --run, --ids, --all, filter flags
  const hasFilter = FILTER_FLAGS.some((f) => seen.has(f));
  const chosen = [
    run !== undefined || seen.has('run') ? '--run' : undefined,
    seen.has('ids') ? '--ids' : undefined,
    seen.has('all') ? '--all' : undefined,
    hasFilter ? 'a filter' : undefined,
  ].filter((c) => c !== undefined);
  if (seen.has('run')) {
    const extra = START_ONLY.filter((f) => seen.has(f));
    if (extra.length > 0) {
      errors.push(
        `--run resumes a run as it was asked: drop ${extra.map((f) => `--${f}`).join(' ')}`,
      );
    }
  } else if (chosen.length === 0) {
    errors.push(
      'choose letters: --ids, a filter (--reason, --problem, --uid, --partition, --since, --until), --all, or --run',
    );
  } else if (chosen.length > 1) {
    errors.push(`${chosen.join(' and ')} cannot be combined: choose one`);
  }

  const token = env[TOKEN_VARIABLE];
  if (token === undefined || token === '') {
    errors.push(`${TOKEN_VARIABLE} is not set: the admin API's token (a secret of ADMIN_TOKENS)`);
  } else if (token.length > 1024 || hasControl(token) || /\s/.test(token)) {
    errors.push(`${TOKEN_VARIABLE} must be one token: no spaces or control characters`);
  }

  if (errors.length > 0) return { ok: false, errors };
  const result: RedriveArgs = {
    url,
    token: token as string,
    dryRun: flag('dry-run'),
    again: flag('again'),
    includeRedriven: flag('include-redriven'),
    json: flag('json'),
    outcomeWaitMs,
  };
  if (run !== undefined) result.run = run;
  else if (ids !== undefined) result.ids = ids;
  else result.filter = filter;
  if (rate !== undefined) result.rate = rate;
  return { ok: true, args: result };
}
