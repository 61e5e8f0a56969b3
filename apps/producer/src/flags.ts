import { type Config, parseVariable, type VariableName } from '@orders/config';
import { INVALID_KINDS, type InvalidKind } from './bad-messages.ts';

export type Flags = {
  count: number;
  rate: number;
  concurrency: number;
  batch: number;
  brokers: string[];
  topic: string;
  invalidRatio: number;
  invalidKinds: InvalidKind[];
  duplicateRatio: number;
  updateRatio: number;
  /** undefined = pick one at random (and print it in the summary). */
  seed: number | undefined;
  /** End of the date_created window, epoch ms; undefined = fixed with --seed, now without. */
  baseDate: number | undefined;
  dryRun: boolean;
  json: boolean;
};

export type FlagsResult =
  | { ok: true; help: true }
  | { ok: true; help: false; flags: Flags }
  | { ok: false; error: string };

type ValueFlag = {
  name: string;
  /** The variable whose parser (and meaning) the flag shares; undefined = parsed here. */
  variable?: VariableName;
  apply(flags: Flags, value: unknown): void;
  parse?(raw: string): { ok: true; value: unknown } | { ok: false; expected: string };
  help: string;
};

const VALUE_FLAGS: readonly ValueFlag[] = [
  {
    name: 'count',
    variable: 'PRODUCER_COUNT',
    apply: (f, v) => (f.count = v as number),
    help: 'orders to send, 0 = until stopped (PRODUCER_COUNT)',
  },
  {
    name: 'rate',
    variable: 'PRODUCER_RATE',
    apply: (f, v) => (f.rate = v as number),
    help: 'orders per second, 0 = as fast as possible (PRODUCER_RATE)',
  },
  {
    name: 'concurrency',
    variable: 'PRODUCER_CONCURRENCY',
    apply: (f, v) => (f.concurrency = v as number),
    help: 'send requests in flight at once (PRODUCER_CONCURRENCY)',
  },
  {
    name: 'batch',
    variable: 'PRODUCER_BATCH',
    apply: (f, v) => (f.batch = v as number),
    help: 'messages per send request (PRODUCER_BATCH)',
  },
  {
    name: 'brokers',
    variable: 'KAFKA_BROKERS',
    apply: (f, v) => (f.brokers = v as string[]),
    help: 'bootstrap brokers, host:port,... (KAFKA_BROKERS)',
  },
  {
    name: 'topic',
    variable: 'KAFKA_TOPIC',
    apply: (f, v) => (f.topic = v as string),
    help: 'topic to write to, created when missing (KAFKA_TOPIC)',
  },
  {
    name: 'invalid-ratio',
    variable: 'PRODUCER_INVALID_RATIO',
    apply: (f, v) => (f.invalidRatio = v as number),
    help: 'share of invalid messages, 0 to 1 (PRODUCER_INVALID_RATIO)',
  },
  {
    name: 'invalid-kinds',
    apply: (f, v) => (f.invalidKinds = v as InvalidKind[]),
    parse: parseKinds,
    help: 'comma-separated invalid kinds to draw from (default: all, see below)',
  },
  {
    name: 'duplicate-ratio',
    variable: 'PRODUCER_DUPLICATE_RATIO',
    apply: (f, v) => (f.duplicateRatio = v as number),
    help: 'share of earlier orders re-sent unchanged (PRODUCER_DUPLICATE_RATIO)',
  },
  {
    name: 'update-ratio',
    variable: 'PRODUCER_UPDATE_RATIO',
    apply: (f, v) => (f.updateRatio = v as number),
    help: 'share of earlier order_uids re-sent with new content (PRODUCER_UPDATE_RATIO)',
  },
  {
    name: 'seed',
    variable: 'PRODUCER_SEED',
    apply: (f, v) => (f.seed = v as number),
    help: 'seed for byte-for-byte reproducible output (PRODUCER_SEED)',
  },
  {
    name: 'base-date',
    apply: (f, v) => (f.baseDate = v as number),
    parse: parseDate,
    help: 'end of the date_created window, ISO-8601 (default: 2026-01-01T00:00:00Z with a seed, else now)',
  },
];

const SWITCHES: ReadonlyArray<{ name: string; apply(f: Flags): void; help: string }> = [
  {
    name: 'dry-run',
    apply: (f) => (f.dryRun = true),
    help: 'write JSON lines to stdout instead of Kafka',
  },
  { name: 'json', apply: (f) => (f.json = true), help: 'print the final summary as JSON' },
];

/** Defaults come from the configuration (environment and .env); flags win. */
export function defaultFlags(config: Config): Flags {
  const p = config.producer;
  return {
    count: p.count,
    rate: p.rate,
    concurrency: p.concurrency,
    batch: p.batch,
    brokers: config.kafka.brokers,
    topic: config.kafka.topic,
    invalidRatio: p.invalidRatio,
    invalidKinds: [...INVALID_KINDS],
    duplicateRatio: p.duplicateRatio,
    updateRatio: p.updateRatio,
    seed: p.seed,
    baseDate: undefined,
    dryRun: false,
    json: false,
  };
}

/** Parses argv (without node and script). Never throws; an error is one line. */
export function parseFlags(argv: readonly string[], defaults: Flags): FlagsResult {
  const flags: Flags = {
    ...defaults,
    brokers: [...defaults.brokers],
    invalidKinds: [...defaults.invalidKinds],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return { ok: true, help: true };
    // `pnpm start -- --count 5` passes the `--` along.
    if (arg === '--') continue;
    if (!arg.startsWith('--')) return { ok: false, error: `unexpected argument "${arg}"` };
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const toggle = SWITCHES.find((s) => s.name === name);
    if (toggle) {
      if (eq !== -1) return { ok: false, error: `--${name} takes no value` };
      toggle.apply(flags);
      continue;
    }
    const flag = VALUE_FLAGS.find((f) => f.name === name);
    if (!flag) return { ok: false, error: `unknown flag --${name}` };
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      if (raw === undefined || raw.startsWith('--'))
        return { ok: false, error: `--${name} needs a value` };
      i++;
    }
    const parsed = flag.variable
      ? parseVariable(flag.variable, raw)
      : (flag.parse?.(raw) ?? { ok: false, expected: '' });
    if (!parsed.ok)
      return { ok: false, error: `--${name}: expected ${parsed.expected}, got "${raw}"` };
    flag.apply(flags, parsed.value);
  }
  const sum = flags.invalidRatio + flags.duplicateRatio + flags.updateRatio;
  if (sum > 1 + 1e-9) {
    return {
      ok: false,
      error: `--invalid-ratio + --duplicate-ratio + --update-ratio must add up to at most 1, got ${round(sum)}`,
    };
  }
  return { ok: true, help: false, flags };
}

export function helpText(): string {
  const width =
    Math.max(...VALUE_FLAGS.map((f) => f.name.length + 4), ...SWITCHES.map((s) => s.name.length)) +
    4;
  const lines = [
    'Usage: pnpm --filter producer start [flags]',
    '',
    'Sends fake orders to Kafka (a load generator). Flags override the environment and .env;',
    'see .env.example for the variables.',
    '',
    'Flags:',
    ...VALUE_FLAGS.map((f) => `  --${`${f.name} <v>`.padEnd(width)}${f.help}`),
    ...SWITCHES.map((s) => `  --${s.name.padEnd(width)}${s.help}`),
    `  --${'help'.padEnd(width)}this text`,
    '',
    `Invalid kinds: ${INVALID_KINDS.join(', ')}`,
    '',
    'Examples:',
    '  pnpm --filter producer start --count 10000 --rate 0',
    '  pnpm --filter producer start --rate 500 --invalid-ratio 0.05 --duplicate-ratio 0.02',
    '  pnpm --filter producer start --dry-run --count 5 --seed 42 > orders.jsonl',
  ];
  return `${lines.join('\n')}\n`;
}

function parseKinds(raw: string): { ok: true; value: unknown } | { ok: false; expected: string } {
  const kinds = raw.split(',').map((s) => s.trim());
  const known = new Set<string>(INVALID_KINDS);
  const unknown = kinds.filter((k) => !known.has(k));
  if (kinds.length === 0 || unknown.length > 0) {
    return { ok: false, expected: `a comma-separated list of ${INVALID_KINDS.join(', ')}` };
  }
  return { ok: true, value: [...new Set(kinds)] };
}

function parseDate(raw: string): { ok: true; value: unknown } | { ok: false; expected: string } {
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN;
  return Number.isFinite(ms)
    ? { ok: true, value: ms }
    : {
        ok: false,
        expected: 'an ISO-8601 date or timestamp, e.g. 2026-01-01 or 2026-01-01T12:00:00Z',
      };
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
