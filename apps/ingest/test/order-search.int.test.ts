// /orders/search end to end: orders produced to Kafka, consumed by a running ingest, found over
// HTTP by track number, customer and date, page after page; hostile queries a 400 from the server.
import { describe, expect, it } from 'vitest';
import { SEARCH_INDEXES } from '../src/search-fill.ts';
import { bytes, makeOrder } from './fixtures.ts';
import { produce, sql, useTestEnv, waitFor } from './harness.ts';

const scope = useTestEnv();

type Page = { orders: { order_uid: string; customer_id: string }[]; next: string | null };

describe('GET /orders/search through a running ingest', () => {
  it('finds every consumed order by its columns, paged, and refuses hostile input with 400', async () => {
    const env = await scope.setup({ partitions: 2 });
    const running = await scope.start();
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `e2e-${i}`,
      value: bytes(
        makeOrder(`e2e-${i}`, {
          track_number: i % 3 === 0 ? 'E2E-TRACK' : `OTHER-${i}`,
          customer_id: `cust-${i % 2}`,
          date_created: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00Z`,
        }),
      ),
    }));
    await produce(env.brokers, env.topic, messages);
    await waitFor(
      async () =>
        (await sql<{ n: number }>(env.databaseUrl, 'SELECT count(*)::int AS n FROM orders'))[0]
          ?.n === 30,
      30_000,
      'the 30 orders in PostgreSQL',
    );
    const get = async (query: string) => fetch(`${running.url}/orders/search?${query}`);

    const seen: string[] = [];
    let query: string | null = 'track_number=E2E-TRACK&limit=4';
    while (query !== null) {
      const res = await get(query);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      seen.push(...page.orders.map((o) => o.order_uid));
      query = page.next === null ? null : `track_number=E2E-TRACK&limit=4&cursor=${page.next}`;
    }
    expect(seen.sort()).toEqual(
      messages
        .filter((_, i) => i % 3 === 0)
        .map((m) => m.key)
        .sort(),
    );

    const range = (await (
      await get('customer_id=cust-1&from=2026-11-10&to=2026-11-20&limit=100')
    ).json()) as Page;
    expect(range.orders.map((o) => o.order_uid).sort()).toEqual(
      ['e2e-9', 'e2e-11', 'e2e-13', 'e2e-15', 'e2e-17'].sort(),
    );

    for (const hostile of [
      `track_number=${'x'.repeat(10_240)}`,
      'customer_id=a%00b',
      'from=2026-12-02&to=2026-12-01',
      'track_number=t&cursor=AAAA',
      'track_number=t&sort=1',
      '',
    ]) {
      const res = await get(hostile);
      expect(res.status, hostile.slice(0, 40)).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.message).not.toMatch(/SELECT|orders_|xxxx/);
    }

    // the background fill built the indexes on the fresh database
    await waitFor(
      async () =>
        (
          await sql<{ n: number }>(
            env.databaseUrl,
            `SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname = ANY($1) AND i.indisvalid`,
            [SEARCH_INDEXES.map((x) => x.name)],
          )
        )[0]?.n === SEARCH_INDEXES.length,
      10_000,
      'the search indexes',
    );
  });
});
