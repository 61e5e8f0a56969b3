// HTTP abuse against the running service: traversal, odd keys, every method on every route, large
// bodies, 1,000 concurrent requests and a slow-headers (slowloris) crowd. Pass: no 5xx, no stack
// traces or file contents in any answer, slow sockets closed by the header timeout while normal
// requests keep p99 under 50 ms.
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { apiRoutePaths } from '@orders/api/testing';

export type Answer = { status: number; body: string; error?: string };

export type ProbeResult = { name: string; method: string; path: string } & Answer;

const LEAKS = [
  /root:x:0:0/,
  /BEGIN [A-Z ]*PRIVATE KEY/,
  /^\s+at .+\(?(file:|\/).+:\d+:\d+/m,
  /node_modules\//,
  /"devDependencies"/,
  /\/work\/|\/home\/|\/etc\/passwd:/,
];

/** Pure: what is wrong with one answer (5xx, or a leak), or undefined. */
export function judgeAnswer(a: Answer): string | undefined {
  if (a.status >= 500) return `status ${a.status}`;
  const leak = LEAKS.find((re) => re.test(a.body));
  return leak ? `answer leaks ${leak}` : undefined;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function send(
  port: number,
  method: string,
  path: string,
  body?: Buffer,
  agent?: Agent,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: agent ?? false,
        headers: body ? { 'content-length': String(body.length) } : {},
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 64 * 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) =>
          resolve({ status: res.statusCode ?? 0, body: '', error: e.message }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: '', error: e.message }));
    if (body) req.end(body);
    else req.end();
  });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'];

export function probes(
  uid: string,
): { name: string; method: string; path: string; body?: Buffer }[] {
  const list: { name: string; method: string; path: string; body?: Buffer }[] = [];
  const add = (name: string, path: string, method = 'GET', body?: Buffer) =>
    list.push({ name, method, path, ...(body ? { body } : {}) });
  // path traversal: plain, encoded, double-encoded, backslashes, on every prefix
  for (const path of [
    '/orders/../../etc/passwd',
    '/orders/..%2f..%2f..%2fetc%2fpasswd',
    '/orders/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/orders/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
    '/orders/..%5c..%5c..%5cetc%5cpasswd',
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2fpackage.json',
    '/assets/..%2f..%2f..%2fpackage.json',
    '/static/../../../package.json',
    '/orders?id=../../etc/passwd',
    '/orders?id=..%2f..%2fetc%2fpasswd',
    '/docs/..%2f..%2f.env',
  ]) {
    add('traversal', path);
  }
  // odd keys
  add('10 KB key', `/orders/${'a'.repeat(10 * 1024)}`);
  add('10 KB id', `/orders?id=${'1'.repeat(10 * 1024)}`);
  add('20 KB key (over the header limit)', `/orders/${'b'.repeat(20 * 1024)}`);
  add('sql-ish', `/orders/${encodeURIComponent("' OR 1=1--")}`);
  add('sql-ish', `/orders?id=${encodeURIComponent('1; DROP TABLE orders')}`);
  add('sql-ish', `/orders/${encodeURIComponent(`${uid}' OR '1'='1`)}`);
  add('unicode', `/orders/${encodeURIComponent('заказ')}`);
  add('unicode', `/orders/${encodeURIComponent('😀🧨')}`);
  add('bad utf-8', '/orders/%C3%28');
  add('bad utf-8', '/orders/%FF%FE');
  add('%00', '/orders/abc%00def');
  add('%00', `/orders/${uid}%00`);
  add('%00', '/orders?id=%00');
  add('bad percent', '/orders/%zz');
  // every method on every route: a path to each of the API's routes (read from its Hono app's
  // routes, so a route added later is probed too), and one to none
  const routes = [...apiRoutePaths({ uid, id: '1' }), '/no-such-route'];
  for (const path of routes) for (const method of METHODS) add('method', path, method);
  // large bodies
  const big = Buffer.alloc(5 * 1024 * 1024, 0x7b);
  add('5 MB body', `/orders/${uid}`, 'POST', big);
  add('5 MB body', '/orders', 'PUT', big);
  add('5 MB body', '/', 'POST', big);
  add('1 MB body on GET', `/orders/${uid}`, 'GET', Buffer.alloc(1024 * 1024, 0x20));
  return list;
}

export type HttpAbuseResult = {
  probes: ProbeResult[];
  concurrent: { requests: number; byStatus: Record<string, number>; errors: number; ms: number };
  slowloris: {
    sockets: number;
    closed: number;
    maxCloseMs: number;
    statuses: Record<string, number>;
    normalRequests: number;
    p50: number;
    p99: number;
    normalErrors: number;
  };
  failures: string[];
  markdown: string;
};

async function concurrentBurst(port: number, present: string[], n: number) {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const t = Date.now();
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const uid = i % 2 === 0 ? (present[i % present.length] as string) : `missing-${i}`;
      return send(port, 'GET', `/orders/${uid}`, undefined, agent);
    }),
  );
  agent.destroy();
  const byStatus: Record<string, number> = {};
  let errors = 0;
  for (const a of answers) {
    if (a.status === 0) errors++;
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  }
  return { answers, requests: n, byStatus, errors, ms: Date.now() - t };
}

async function slowloris(port: number, uid: string, sockets: number, windowMs: number) {
  const started = Date.now();
  const closedAt: number[] = [];
  const statuses: Record<string, number> = {};
  const open: Socket[] = [];
  const drips: NodeJS.Timeout[] = [];
  await Promise.all(
    Array.from(
      { length: sockets },
      () =>
        new Promise<void>((resolve) => {
          const s = connect(port, '127.0.0.1', () => {
            s.write(`GET /orders/${uid} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
            resolve();
          });
          let first = '';
          s.on('data', (c: Buffer) => {
            if (!first) first = c.toString('latin1').split('\r\n')[0] ?? '';
          });
          s.on('error', () => {});
          s.on('close', () => {
            closedAt.push(Date.now() - started);
            const status = first.split(' ')[1] ?? 'closed';
            statuses[status] = (statuses[status] ?? 0) + 1;
            resolve();
          });
          // one header line every 2 s: the headers never end
          drips.push(
            setInterval(() => s.writable && s.write(`X-Drip-${Date.now()}: a\r\n`), 2_000),
          );
          open.push(s);
        }),
    ),
  );
  // normal requests meanwhile, one at a time over keep-alive
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let normalErrors = 0;
  while (Date.now() - started < windowMs) {
    const t = performance.now();
    const a = await send(port, 'GET', `/orders/${uid}`, undefined, agent);
    if (a.status !== 200) normalErrors++;
    else latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  agent.destroy();
  for (const d of drips) clearInterval(d);
  const closed = closedAt.length;
  for (const s of open) s.destroy();
  return {
    sockets,
    closed,
    maxCloseMs: closedAt.length ? Math.max(...closedAt) : Number.NaN,
    statuses,
    normalRequests: latencies.length + normalErrors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    normalErrors,
  };
}

export async function runHttpAbuse(o: {
  port: number;
  present: string[];
  headersTimeoutMs: number;
}): Promise<HttpAbuseResult> {
  const failures: string[] = [];
  const uid = o.present[0] as string;
  const results: ProbeResult[] = [];
  for (const p of probes(uid)) {
    const a = await send(o.port, p.method, p.path, p.body);
    results.push({ name: p.name, method: p.method, path: p.path, ...a });
    const bad = judgeAnswer(a);
    if (bad) failures.push(`${p.method} ${p.path.slice(0, 80)}: ${bad}`);
  }
  const burst = await concurrentBurst(o.port, o.present, 1_000);
  for (const a of burst.answers) {
    const bad = judgeAnswer(a);
    if (bad) {
      failures.push(`concurrent GET: ${bad}`);
      break;
    }
  }
  if (burst.errors > 0)
    failures.push(`concurrent: ${burst.errors} of 1000 requests failed to connect/complete`);
  const slack = 2_000 + 2_000; // connectionsCheckingInterval (2 s) + scheduling
  const slow = await slowloris(o.port, uid, 200, o.headersTimeoutMs + slack + 2_000);
  if (slow.closed < slow.sockets) {
    failures.push(
      `slowloris: ${slow.sockets - slow.closed} of ${slow.sockets} slow sockets still open after ${o.headersTimeoutMs + slack} ms`,
    );
  } else if (slow.maxCloseMs > o.headersTimeoutMs + slack) {
    failures.push(`slowloris: last slow socket closed after ${slow.maxCloseMs} ms`);
  }
  if (!(slow.p99 < 50))
    failures.push(`slowloris: normal requests p99 ${slow.p99.toFixed(1)} ms (≥ 50 ms)`);
  if (slow.normalErrors > 0)
    failures.push(`slowloris: ${slow.normalErrors} normal requests failed`);

  const byName = new Map<string, { n: number; statuses: Record<string, number> }>();
  for (const r of results) {
    const e = byName.get(r.name) ?? { n: 0, statuses: {} };
    e.n++;
    const key = r.status === 0 ? `closed (${r.error})` : String(r.status);
    e.statuses[key] = (e.statuses[key] ?? 0) + 1;
    byName.set(r.name, e);
  }
  const fmt = (s: Record<string, number>) =>
    Object.entries(s)
      .map(([k, v]) => `${k}×${v}`)
      .join(', ');
  const markdown = [
    `${results.length} hostile requests, then 1,000 concurrent GETs (half present, half missing), then ${slow.sockets} slow-header sockets (one header line every 2 s) while normal GETs ran. 5xx answers: ${results.filter((r) => r.status >= 500).length + (burst.byStatus['500'] ?? 0) + (burst.byStatus['503'] ?? 0)}.`,
    '',
    '| probe | requests | statuses |',
    '|---|---:|---|',
    ...[...byName].map(([name, e]) => `| ${name} | ${e.n} | ${fmt(e.statuses)} |`),
    `| 1,000 concurrent GETs | ${burst.requests} | ${fmt(burst.byStatus)} in ${burst.ms} ms |`,
    '',
    `Slowloris: ${slow.closed} of ${slow.sockets} slow sockets closed by the server (answers: ${fmt(slow.statuses)}), the last after ${(slow.maxCloseMs / 1000).toFixed(1)} s (headers timeout ${o.headersTimeoutMs / 1000} s, checked every 2 s). Normal GETs meanwhile: ${slow.normalRequests}, p50 ${slow.p50.toFixed(1)} ms, p99 ${slow.p99.toFixed(1)} ms, ${slow.normalErrors} failed.`,
  ].join('\n');
  return {
    probes: results,
    concurrent: {
      requests: burst.requests,
      byStatus: burst.byStatus,
      errors: burst.errors,
      ms: burst.ms,
    },
    slowloris: slow,
    failures,
    markdown,
  };
}
