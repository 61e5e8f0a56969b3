// `pnpm bench:http`: GET throughput of the API against a bare node:http ceiling, in the same run.
//
// 100,000 orders in memory; autocannon with 100 connections asks for random keys, by order_uid
// (`/orders/:uid`) and by numeric id (`/orders?id=N`), with --query-uid also by `/orders?uid=`.
// Each server runs in its own process (the API exactly as ingest serves it: createApp with its
// metrics on, @hono/node-server, serverOptions); the load generator runs in this one. Scenarios alternate bare/api so drift hits both alike.
// Results: a table on stdout and bench/results/http.json at the repository root.
//
// Flags: --orders N (100000) --connections N (100) --duration s (2, one window) --warmup s (3)
//        --rounds N (9)
//        --routers (also measure the API with hono's SmartRouter, LinearRouter and TrieRouter)
//        --no-flags (also measure the API without the product's Node flags, see productNodeFlags)
//        --query-uid (also measure `/orders?uid=`, the third lookup route, on both servers)
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { benchUids } from './fixtures.ts';

const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '9' },
    routers: { type: 'boolean', default: false },
    'no-flags': { type: 'boolean', default: false },
    'query-uid': { type: 'boolean', default: false },
  },
});
const ORDERS = Number(flags.orders);
const CONNECTIONS = Number(flags.connections);
const DURATION = Number(flags.duration);
const WARMUP = Number(flags.warmup);
const ROUNDS = Number(flags.rounds);
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 10;

type Server = { name: string; url: string; child: ChildProcess };
type Figures = {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Server CPU time (user + system) per answered request, µs. */
  cpuUs: number;
  non2xx: number;
  errors: number;
};

/**
 * The Node flags the product runs with: those of `node … src/main.ts` in apps/ingest's `start`
 * script (the Dockerfile's CMD carries the same). Both servers get them, so the API is measured as
 * it runs and the bare ceiling on the same runtime.
 */
function productNodeFlags(): string[] {
  const pkg = JSON.parse(
    readFileSync(new URL('../../ingest/package.json', import.meta.url), 'utf8'),
  ) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') {
    throw new Error(
      `apps/ingest start script is not 'node [flags] src/main.ts': ${words.join(' ')}`,
    );
  }
  return words.slice(1, -1);
}
const NODE_FLAGS = productNodeFlags();

function startServer(name: string, args: string[], nodeFlags = NODE_FLAGS): Promise<Server> {
  const child = fork(new URL('./server.ts', import.meta.url), args, {
    stdio: 'inherit',
    execArgv: [...process.execArgv, ...nodeFlags],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code})`)));
    child.once('message', (message) => {
      const { port } = message as { port: number };
      resolve({ name, url: `http://127.0.0.1:${port}`, child });
    });
  });
}

async function load(url: string, paths: readonly string[], seconds: number): Promise<Result> {
  const n = paths.length;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          request.path = paths[Math.floor(Math.random() * n)] as string;
          return request;
        },
      },
    ],
  });
}

function cpuMicros(server: Server): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      const cpu = (message as { cpu?: NodeJS.CpuUsage }).cpu;
      if (!cpu) return;
      server.child.off('message', onMessage);
      resolve(cpu.user + cpu.system);
    };
    server.child.on('message', onMessage);
    server.child.send('cpu');
  });
}

async function measure(server: Server, paths: readonly string[]): Promise<Figures> {
  const before = await cpuMicros(server);
  const result = await load(server.url, paths, DURATION);
  const cpu = (await cpuMicros(server)) - before;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    cpuUs: Math.round((cpu / Math.max(1, result.requests.total)) * 100) / 100,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const uids = benchUids(ORDERS);
const keys = {
  uid: uids.map((uid) => `/orders/${uid}`),
  id: uids.map((_, i) => `/orders?id=${i + 1}`),
  query_uid: uids.map((uid) => `/orders?uid=${uid}`),
};
type Key = keyof typeof keys;
// `uid` first: the variants (--routers, --no-flags) are measured by uid only.
const KEYS: Key[] = ['uid', 'id', ...(flags['query-uid'] ? (['query_uid'] as const) : [])];

process.stdout.write(
  `http bench: ${ORDERS} orders, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s windows per scenario, ${cpus().length} CPUs, server flags: ${NODE_FLAGS.join(' ') || 'none'}\n`,
);
const servers: Server[] = [];
try {
  const started = await Promise.all([
    startServer('bare', ['bare', String(ORDERS)]),
    startServer('api', ['hono', String(ORDERS), 'regexp']),
    ...(flags.routers
      ? ['smart', 'linear', 'trie'].map((r) => startServer(`api-${r}`, ['hono', String(ORDERS), r]))
      : []),
    ...(flags['no-flags']
      ? [startServer('api-no-flags', ['hono', String(ORDERS), 'regexp'], [])]
      : []),
  ]);
  servers.push(...started);
  const bare = started[0] as Server;
  const api = started[1] as Server;

  // Sanity: both answer the same bytes for the same key before anything is measured.
  for (const path of [keys.uid[0], keys.id[ORDERS - 1], keys.query_uid[1]] as string[]) {
    const [a, b] = await Promise.all(
      [bare, api].map(async (s) => Buffer.from(await (await fetch(s.url + path)).arrayBuffer())),
    );
    if (!a?.equals(b as Buffer) || a.length < 100) throw new Error(`servers differ on ${path}`);
  }

  const runs = new Map<string, Figures[]>();
  const record = (name: string, f: Figures) => {
    runs.set(name, [...(runs.get(name) ?? []), f]);
    process.stdout.write(
      `  ${name.padEnd(16)} ${String(f.rps).padStart(7)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  max ${f.max} ms  cpu ${f.cpuUs} µs/req${f.non2xx || f.errors ? `  non-2xx ${f.non2xx} errors ${f.errors}` : ''}\n`,
    );
  };
  for (const server of servers) await load(server.url, keys.uid, WARMUP);
  // Short windows, alternating servers (ABBA across rounds): the machine is shared and its load
  // swings within seconds, so each API window is compared with the bare window next to it and the
  // ratio is the median of those pairs.
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of KEYS) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        if (key !== 'uid' && server !== bare && server !== api) continue;
        record(`${server.name} ${key}`, await measure(server, keys[key]));
      }
    }
  }

  const round3 = (n: number) => Math.round(n * 1000) / 1000;
  const summary = (name: string) => {
    const list = runs.get(name) ?? [];
    return {
      rps: Math.round(median(list.map((f) => f.rps))),
      p50Ms: median(list.map((f) => f.p50)),
      p99Ms: median(list.map((f) => f.p99)),
      p99MsWorst: Math.max(...list.map((f) => f.p99)),
      maxMsWorst: Math.max(...list.map((f) => f.max)),
      cpuUsPerRequest: median(list.map((f) => f.cpuUs)),
      non2xx: list.reduce((a, f) => a + f.non2xx, 0),
      errors: list.reduce((a, f) => a + f.errors, 0),
    };
  };
  /** Median over rounds of (this window's req/s ÷ the bare window's of the same round and key). */
  const pairedRatio = (name: string, key: Key) => {
    const ours = runs.get(name) ?? [];
    const ceiling = runs.get(`bare ${key}`) ?? [];
    return round3(median(ours.map((f, i) => f.rps / (ceiling[i]?.rps ?? Number.NaN))));
  };
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    nodeFlags: NODE_FLAGS,
    cpus: cpus().length,
    orders: ORDERS,
    connections: CONNECTIONS,
    windowSeconds: DURATION,
    rounds: ROUNDS,
  };
  const rows: string[][] = [
    [
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'max ms (worst)',
      'ratio to bare',
      'server CPU µs/req',
      'CPU ratio',
    ],
  ];
  const row = (name: string, s: ReturnType<typeof summary>, ratio: number, cpuRatio: number) => {
    rows.push([
      name,
      String(s.rps),
      String(s.p50Ms),
      String(s.p99Ms),
      String(s.maxMsWorst),
      String(ratio),
      String(s.cpuUsPerRequest),
      String(cpuRatio),
    ]);
  };
  // cpuRatio: bare CPU per request ÷ ours — the throughput ratio two servers would reach with a
  // whole core each, from a figure the machine's other load hardly moves.
  const cpuRatioOf = (name: string, key: Key) =>
    round3(summary(`bare ${key}`).cpuUsPerRequest / summary(name).cpuUsPerRequest);
  for (const key of KEYS) {
    const ceiling = summary(`bare ${key}`);
    const ours = summary(`api ${key}`);
    const ratio = pairedRatio(`api ${key}`, key);
    const cpuRatio = cpuRatioOf(`api ${key}`, key);
    result[`by_${key}`] = { bare: ceiling, api: ours, ratio, cpuRatio };
    row(`bare ${key}`, ceiling, 1, 1);
    row(`api ${key}`, ours, ratio, cpuRatio);
  }
  if (servers.length > 2) {
    // variants of the API (--routers, --no-flags), by uid
    const variants: Record<string, unknown> = {};
    for (const server of servers.slice(2)) {
      const s = summary(`${server.name} uid`);
      const ratio = pairedRatio(`${server.name} uid`, 'uid');
      const cpuRatio = cpuRatioOf(`${server.name} uid`, 'uid');
      variants[server.name] = { ...s, ratio, cpuRatio };
      row(`${server.name} uid`, s, ratio, cpuRatio);
    }
    result.variants = variants;
  }
  const byUid = result.by_uid as { ratio: number; api: { p99Ms: number } };
  const byId = result.by_id as { ratio: number; api: { p99Ms: number } };
  result.target = {
    ratio: TARGET_RATIO,
    p99Ms: TARGET_P99_MS,
    met:
      byUid.ratio >= TARGET_RATIO &&
      byId.ratio >= TARGET_RATIO &&
      byUid.api.p99Ms <= TARGET_P99_MS &&
      byId.api.p99Ms <= TARGET_P99_MS
        ? 'yes'
        : 'no',
  };

  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  process.stdout.write(
    `\n${line(rows[0] as string[])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.slice(1).map(line).join('\n')}\n`,
  );
  process.stdout.write(
    `target: ratio >= ${TARGET_RATIO} and p99 <= ${TARGET_P99_MS} ms → ${(result.target as { met: string }).met}\n`,
  );
  const dir = new URL('../../../bench/results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('http.json', dir), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`written to bench/results/http.json\n`);
} finally {
  for (const server of servers) {
    server.child.removeAllListeners('exit');
    server.child.kill('SIGTERM');
  }
}
