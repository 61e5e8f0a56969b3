import { LABEL_NAME, METRIC_NAME } from '../src/names.ts';

// A strict reader of the Prometheus text format 0.0.4, so tests (ours and the ingest app's) check
// what a scraper would accept rather than looking for substrings.

export type Sample = { name: string; labels: Record<string, string>; value: number };
export type MetricFamily = { name: string; type: string; help: string; samples: Sample[] };
export type ParseResult =
  | { ok: true; families: Map<string, MetricFamily> }
  | { ok: false; errors: string[] };

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parsePrometheusText(text: string): ParseResult {
  const errors: string[] = [];
  const families = new Map<string, MetricFamily>();
  const seenSeries = new Set<string>();
  const closed = new Set<string>();
  let current: MetricFamily | undefined;

  if (text.length > 0 && !text.endsWith('\n')) errors.push('text must end with a line feed');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();

  const familyOf = (name: string): MetricFamily => {
    let family = families.get(name);
    if (!family) {
      family = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, family);
    }
    if (current && current !== family) closed.add(current.name);
    if (closed.has(name)) errors.push(`lines of ${name} are not grouped together`);
    current = family;
    return family;
  };

  lines.forEach((line, index) => {
    const at = `line ${index + 1}`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // other comments are allowed
      const [, kind, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) errors.push(`${at}: bad metric name ${name}`);
      const family = familyOf(name);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) errors.push(`${at}: unknown type ${rest}`);
        if (family.samples.length > 0) errors.push(`${at}: TYPE after samples of ${name}`);
        family.type = rest;
      } else {
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) errors.push(`${at}: bad escape in HELP`);
        family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      }
      return;
    }
    const sample = parseSample(line);
    if (typeof sample === 'string') {
      errors.push(`${at}: ${sample}`);
      return;
    }
    const family = familyOf(baseName(sample.name, families));
    const allowed = SUFFIXES[family.type];
    const bareAllowed = family.type !== 'histogram';
    const belongs =
      (sample.name === family.name && bareAllowed) ||
      (allowed?.some((s) => sample.name === family.name + s) ?? false);
    if (!belongs) {
      errors.push(`${at}: ${sample.name} does not belong to ${family.type} ${family.name}`);
    }
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seenSeries.has(key)) errors.push(`${at}: duplicate series ${key}`);
    seenSeries.add(key);
    family.samples.push(sample);
  });

  for (const family of families.values()) {
    if (family.type === 'histogram') errors.push(...checkHistogram(family));
    if (family.type === 'counter') {
      for (const s of family.samples) {
        if (!(s.value >= 0)) errors.push(`${family.name}: counter value ${s.value} is not >= 0`);
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, families };
}

/** The family a sample name belongs to: `x_bucket` → `x` when `x` is a declared histogram. */
function baseName(name: string, families: Map<string, MetricFamily>): string {
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  }
  return name;
}

function parseSample(line: string): Sample | string {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) return 'sample without a metric name';
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const labelMatch = /^([^=]*)="/.exec(line.slice(i));
      if (!labelMatch) return 'malformed label';
      const labelName = labelMatch[1] ?? '';
      if (!LABEL_NAME.test(labelName)) return `bad label name ${labelName}`;
      if (labelName in labels) return `duplicate label ${labelName}`;
      i += labelMatch[0].length;
      let value = '';
      for (;;) {
        const ch = line[i];
        if (ch === undefined) return 'unterminated label value';
        if (ch === '"') break;
        if (ch === '\\') {
          const next = line[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else return `bad escape \\${next ?? ''} in label value`;
          i += 2;
          continue;
        }
        value += ch;
        i++;
      }
      labels[labelName] = value;
      i++; // closing quote
      if (line[i] === ',') i++;
      else if (line[i] !== '}') return 'expected , or } after a label';
    }
    i++;
  }
  const rest = line.slice(i);
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) return `malformed value part "${rest}"`;
  const value = parseValue(valueMatch[1] ?? '');
  if (value === undefined) return `bad value ${valueMatch[1]}`;
  return { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function checkHistogram(family: MetricFamily): string[] {
  const errors: string[] = [];
  const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let entry = series.get(key);
    if (!entry) {
      entry = { buckets: [] };
      series.set(key, entry);
    }
    if (s.name.endsWith('_bucket')) {
      const bound = le === undefined ? undefined : parseValue(le);
      if (bound === undefined) errors.push(`${family.name}: bucket without a valid le`);
      else entry.buckets.push([bound, s.value]);
    } else if (s.name.endsWith('_count')) entry.count = s.value;
    else if (s.name.endsWith('_sum')) entry.sum = s.value;
  }
  for (const [key, entry] of series) {
    const where = `${family.name}${key}`;
    const last = entry.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY) errors.push(`${where}: no +Inf bucket last`);
    for (let i = 1; i < entry.buckets.length; i++) {
      const [prevBound, prevCount] = entry.buckets[i - 1] as [number, number];
      const [bound, count] = entry.buckets[i] as [number, number];
      if (bound <= prevBound) errors.push(`${where}: le not increasing`);
      if (count < prevCount) errors.push(`${where}: bucket counts not cumulative`);
    }
    if (entry.count === undefined || entry.sum === undefined)
      errors.push(`${where}: no _count/_sum`);
    if (last && entry.count !== last[1])
      errors.push(`${where}: _count differs from the +Inf bucket`);
  }
  return errors;
}
