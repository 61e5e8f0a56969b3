// `pnpm bench:http`: GET throughput of the API against a bare node:http ceiling, in the same run.
//
// 100,000 orders in memory; autocannon with 100 connections asks for random keys, by order_uid
// (`/orders/:uid`) and by numeric id (`/orders?id=N`). Each server runs in its own process (the
// API exactly as ingest serves it: createApp with its metrics on, @hono/node-server, serverOptions);
// the load generator runs in this one. Scenarios alternate bare/api so drift hits both alike.
// Results: a table on stdout and bench/results/http.json at the repository root.
//
// Flags: --orders N (100000) --connections N (100) --duration s (10) --warmup s (2) --rounds N (2)
//        --routers (also measure the API with hono's SmartRouter, LinearRouter and TrieRouter)
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { benchUids } from './fixtures.ts';

const { values: flags } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    routers: { type: 'boolean', default: false },
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
type Figures = { rps: number; p50: number; p99: number; non2xx: number; errors: number };

function startServer(name: string, args: string[]): Promise<Server> {
  const child = fork(new URL('./server.ts', import.meta.url), args, { stdio: 'inherit' });
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

function figures(result: Result): Figures {
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const uids = benchUids(ORDERS);
const keys = {
  uid: uids.map((uid) => `/orders/${uid}`),
  id: uids.map((_, i) => `/orders?id=${i + 1}`),
};

process.stdout.write(
  `http bench: ${ORDERS} orders, ${CONNECTIONS} connections, ${DURATION}s x ${ROUNDS} rounds per scenario, ${cpus().length} CPUs\n`,
);
const servers: Server[] = [];
try {
  const started = await Promise.all([
    startServer('bare', ['bare', String(ORDERS)]),
    startServer('api', ['hono', String(ORDERS), 'regexp']),
    ...(flags.routers
      ? ['smart', 'linear', 'trie'].map((r) => startServer(`api-${r}`, ['hono', String(ORDERS), r]))
      : []),
  ]);
  servers.push(...started);
  const bare = started[0] as Server;
  const api = started[1] as Server;

  // Sanity: both answer the same bytes for the same key before anything is measured.
  for (const path of [keys.uid[0], keys.id[ORDERS - 1]] as string[]) {
    const [a, b] = await Promise.all(
      [bare, api].map(async (s) => Buffer.from(await (await fetch(s.url + path)).arrayBuffer())),
    );
    if (!a?.equals(b as Buffer) || a.length < 100) throw new Error(`servers differ on ${path}`);
  }

  const runs = new Map<string, Figures[]>();
  const record = (name: string, f: Figures) => {
    runs.set(name, [...(runs.get(name) ?? []), f]);
    process.stdout.write(
      `  ${name.padEnd(16)} ${String(f.rps).padStart(7)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms${f.non2xx || f.errors ? `  non-2xx ${f.non2xx} errors ${f.errors}` : ''}\n`,
    );
  };
  for (const server of servers) await load(server.url, keys.uid, WARMUP);
  for (let round = 0; round < ROUNDS; round++) {
    for (const key of ['uid', 'id'] as const) {
      // ABBA order across rounds, so a slow trend in the machine's load does not favour one side.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        if (key === 'id' && server !== bare && server !== api) continue;
        record(`${server.name} ${key}`, figures(await load(server.url, keys[key], DURATION)));
      }
    }
  }

  const summary = (name: string) => {
    const list = runs.get(name) ?? [];
    return {
      rps: Math.round(mean(list.map((f) => f.rps))),
      p50Ms: Math.max(...list.map((f) => f.p50)),
      p99Ms: Math.max(...list.map((f) => f.p99)),
      non2xx: list.reduce((a, f) => a + f.non2xx, 0),
      errors: list.reduce((a, f) => a + f.errors, 0),
    };
  };
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    orders: ORDERS,
    connections: CONNECTIONS,
    durationSeconds: DURATION,
    rounds: ROUNDS,
  };
  const rows: string[][] = [['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare']];
  for (const key of ['uid', 'id'] as const) {
    const ceiling = summary(`bare ${key}`);
    const ours = summary(`api ${key}`);
    const ratio = Math.round((ours.rps / ceiling.rps) * 1000) / 1000;
    result[`by_${key}`] = { bare: ceiling, api: ours, ratio };
    rows.push([
      `bare ${key}`,
      String(ceiling.rps),
      String(ceiling.p50Ms),
      String(ceiling.p99Ms),
      '1',
    ]);
    rows.push([
      `api ${key}`,
      String(ours.rps),
      String(ours.p50Ms),
      String(ours.p99Ms),
      String(ratio),
    ]);
  }
  if (flags.routers) {
    const ceiling = summary('bare uid').rps;
    const routers: Record<string, unknown> = {};
    for (const server of servers.slice(2)) {
      const s = summary(`${server.name} uid`);
      routers[server.name] = { ...s, ratio: Math.round((s.rps / ceiling) * 1000) / 1000 };
      rows.push([
        `${server.name} uid`,
        String(s.rps),
        String(s.p50Ms),
        String(s.p99Ms),
        String(Math.round((s.rps / ceiling) * 1000) / 1000),
      ]);
    }
    result.routers = routers;
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
