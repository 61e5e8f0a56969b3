// A fake admin API for the redrive CLI's tests: a Hono app on a free port that checks the bearer
// token, records every request and answers runs from a script of snapshots (each read of a run
// answers the next one, the last one repeated).
import { type ServerType, serve } from '@hono/node-server';
import type { RedriveRun } from '@orders/api';
import { freePort } from '@orders/testing';
import { Hono } from 'hono';

export const FAKE_TOKEN = 'fake-admin-token-0123456789';

export type Recorded = {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
};

type Reply = { status: number; body: unknown };

export type FakeAdmin = {
  url: string;
  requests: Recorded[];
  /** the answer of POST /dead-letters/redrive (default 202 for run 7) */
  start: Reply;
  /** the answers of GET /dead-letters/redrives/{run}, in turn (the last one repeats) */
  reads: Reply[];
  /** the answer of POST /dead-letters/redrives/{run}/resume (default: the last read) */
  resume?: Reply;
  close(): Promise<void>;
};

export function runSnapshot(over: Partial<RedriveRun> = {}): RedriveRun {
  return {
    run: 7,
    kind: 'filter',
    state: 'running',
    dry_run: false,
    created_by: 'ops',
    created_at: '2026-12-03T16:00:00.000Z',
    started_at: '2026-12-03T16:00:00.100Z',
    finished_at: null,
    request: { filter: { reason: 'too_large' }, rate: 1000, again: false, include_redriven: false },
    matched: 100,
    would_pass: 90,
    progress: { pending: 100, sent: 0, skipped: 0, failed: 0 },
    outcomes: { stored: 0, superseded: 0, dead_lettered: 0, awaiting: 0 },
    skipped_by_reason: {},
    events: [],
    ...over,
  };
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const refused = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message } },
});

export async function startFakeAdmin(): Promise<FakeAdmin> {
  const app = new Hono();
  let readIndex = 0;
  const fake: FakeAdmin = {
    url: '',
    requests: [],
    start: ok({ run: 7, matched: 100, would_pass: 90 }, 202),
    reads: [ok(runSnapshot({ state: 'done' }))],
    close: async () => {},
  };
  const reply = (r: Reply) =>
    new Response(JSON.stringify(r.body), {
      status: r.status,
      headers: { 'content-type': 'application/json' },
    });
  app.use(async (c, next) => {
    const text = c.req.method === 'POST' ? await c.req.text() : '';
    fake.requests.push({
      method: c.req.method,
      path: c.req.path,
      body: text === '' ? undefined : JSON.parse(text),
      authorization: c.req.header('authorization') ?? null,
    });
    if (c.req.header('authorization') !== `Bearer ${FAKE_TOKEN}`) {
      return reply(refused(401, 'unauthorized', 'a valid bearer token is required'));
    }
    await next();
  });
  app.post('/dead-letters/redrive', () => reply(fake.start));
  app.get('/dead-letters/redrives/:run', () => {
    const r = fake.reads[Math.min(readIndex, fake.reads.length - 1)] as Reply;
    readIndex++;
    return reply(r);
  });
  app.post('/dead-letters/redrives/:run/resume', () =>
    reply(fake.resume ?? (fake.reads[fake.reads.length - 1] as Reply)),
  );
  const port = await freePort();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
