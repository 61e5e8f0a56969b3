// The admin API end to end: invalid orders produced to real Kafka, dead-lettered by a running
// ingest into its PostgreSQL ledger, then listed, read and counted over HTTP with a token of
// ADMIN_TOKENS — and refused without one, and absent when ADMIN_TOKENS is unset.
import { describe, expect, it } from 'vitest';
import { bytes, invalidMessages, makeOrder } from './fixtures.ts';
import { produce, sql, useTestEnv, waitFor } from './harness.ts';

const t = useTestEnv();
const SECRET = 'e2e-secret-0123456789abcdef';
const auth = { authorization: `Bearer ${SECRET}` };

type Letter = {
  id: number;
  reason: string;
  uid: string | null;
  value: string | null;
  value_base64?: string;
  source: { topic: string; partition: number; offset: string };
  problems: { code: string }[];
};

describe('the admin API over a running ingest', () => {
  it('lists, reads and counts the dead letters of invalid orders, with a token only', async () => {
    const env = await t.setup({ partitions: 2 });
    const maxBytes = 20_000;
    const running = await t.start({
      KAFKA_MAX_BYTES: String(maxBytes),
      ADMIN_TOKENS: `ops=${SECRET},ci=other-secret-0123456789`,
    });
    const invalid = invalidMessages(maxBytes);
    const hostile = makeOrder('<img src=x onerror=alert(1)>', { items: [] });
    await produce(env.brokers, env.topic, [
      { key: 'good-1', value: bytes(makeOrder('good-1')) },
      ...invalid.map((m, i) => ({ key: `bad-${i}`, value: m.value })),
      { key: 'hostile', value: bytes(hostile) },
    ]);
    const letters = invalid.length + 1;
    await waitFor(
      async () =>
        Number(
          (await sql<{ n: string }>(env.databaseUrl, 'SELECT count(*) AS n FROM dead_letters'))[0]
            ?.n,
        ) === letters,
      30_000,
      'every letter in the ledger',
    );

    const get = (path: string, headers: Record<string, string> = auth) =>
      fetch(`${running.url}${path}`, { headers });
    const refused = await get('/dead-letters', {});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get('/dead-letters', { authorization: 'Bearer nope' })).status).toBe(401);

    // every letter, two pages of 5 and the last
    const seen: Letter[] = [];
    let path = '/dead-letters?limit=5';
    for (;;) {
      const res = await get(path);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Letter[]; next: string | null };
      seen.push(...page.items);
      if (page.next === null) break;
      path = `/dead-letters?limit=5&cursor=${page.next}`;
    }
    expect(seen).toHaveLength(letters);
    expect(new Set(seen.map((l) => l.id)).size).toBe(letters);
    expect(seen.map((l) => l.reason).sort()).toEqual(
      [...invalid.map((m) => m.reason), 'invalid_order'].sort(),
    );
    expect(seen.every((l) => l.source.topic === env.topic)).toBe(true);
    const notUtf8 = seen.find((l) => l.value_base64 !== undefined);
    expect(notUtf8).toMatchObject({ reason: 'not_json', value: null, value_base64: '//4AgQ==' });

    // filtered: the hostile order's letter, found by its uid, escaped in the JSON text
    const byUid = await get(
      `/dead-letters?uid=${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
    );
    const text = await byUid.text();
    expect(text).not.toContain('<img');
    const [found] = (JSON.parse(text) as { items: Letter[] }).items;
    expect(found?.uid).toBe('<img src=x onerror=alert(1)>');
    expect(found?.problems.map((p) => p.code)).toEqual(['format', 'too_short']);

    const one = await get(`/dead-letters/${found?.id}`);
    expect(await one.json()).toMatchObject({
      id: found?.id,
      would_pass_now: expect.arrayContaining([expect.objectContaining({ path: 'items' })]),
    });

    const summary = (await (await get('/dead-letters/summary')).json()) as {
      total: number;
      by_reason: Record<string, number>;
      per_hour: { count: number }[];
    };
    expect(summary.total).toBe(letters);
    expect(summary.by_reason).toMatchObject({ empty: 2, not_json: 2, invalid_order: 3 });
    expect(summary.per_hour).toHaveLength(48);
    expect(summary.per_hour.at(-1)?.count ?? 0).toBeGreaterThan(0);

    // a bad filter is the client's 400, never a 5xx
    const bad = await get('/dead-letters?since=2026-13-01');
    expect(bad.status).toBe(400);
    // the token's secret never reaches the log
    expect(running.logs.join('\n')).not.toContain(SECRET);
  });

  it('has no admin API without ADMIN_TOKENS', async () => {
    await t.setup({ partitions: 1 });
    const running = await t.start();
    for (const path of ['/dead-letters', '/dead-letters/summary', '/dead-letters/1']) {
      const res = await fetch(`${running.url}${path}`, { headers: auth });
      expect(res.status, path).toBe(404);
    }
  });
});
