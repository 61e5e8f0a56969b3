// The metric names a PromQL expression reads, for checking them against a live /metrics: a
// tokenizer, not a parser. Strings, label matchers, ranges, grouping clauses and Grafana
// variables are blanked first; then every identifier not followed by `(` (a function or an
// aggregation) and not a keyword is a metric name.
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
// a number or a duration (5m, 1e3, 0x1f) first, so its letters are not read as a name
const TOKEN = /(0x[0-9a-f]+|\d[\d.]*(?:e[+-]?\d+)?[a-z]*)|([a-z_:][a-z0-9_:]*)/gi;

export function metricNames(expr: string): string[] {
  const blanked = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/#.*$/gm, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of blanked.matchAll(TOKEN)) {
    const name = match[2];
    if (name === undefined || KEYWORDS.has(name.toLowerCase())) continue;
    const rest = blanked.slice((match.index ?? 0) + name.length).trimStart();
    if (!rest.startsWith('(')) names.add(name);
  }
  return [...names].sort();
}

/** The metric families a /metrics text declares, with a histogram's and a summary's series names. */
export function exposedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const line of metricsText.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type?.[1] && type[2]) {
      names.add(type[1]);
      if (type[2] === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) names.add(type[1] + s);
      if (type[2] === 'summary') for (const s of ['_sum', '_count']) names.add(type[1] + s);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}
