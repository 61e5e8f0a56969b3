// The served bytes must not change across a restart: an order stored as JSONB (which reorders keys
// and normalises numbers) and read back must give the same canonical bytes. Real PostgreSQL.
import { createTestDatabase, type TestDatabase } from '@orders/infra';
import { seededRandom } from '@orders/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, encodeOrder } from './canonical.ts';
import { decodeOrder } from './decode.ts';
import { ORDER_LIMITS } from './limits.ts';
import { sampleJson, sampleOrder, shuffleKeys } from './testing.ts';
import { validateOrder } from './validate.ts';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('create table orders (id serial primary key, data jsonb not null)');
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** Stores `text` as jsonb and returns what a restart would read: the jsonb as text. */
async function roundTrip(text: string): Promise<string> {
  const { rows } = await client.query<{ text: string }>(
    'insert into orders (data) values ($1::jsonb) returning data::text as text',
    [text],
  );
  return (rows[0] as { text: string }).text;
}

function decode(text: string) {
  const result = decodeOrder(Buffer.from(text, 'utf8'), { maxBytes: 1 << 20 });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.order;
}

/** Unknown fields at every level with the values most likely to change in a round trip. */
function trickyOrderText(): string {
  const deep = (depth: number): unknown => (depth <= 1 ? { leaf: 'x' } : { d: deep(depth - 1) });
  const order = sampleOrder();
  order.floats = [0.1, 0.2 + 0.1, -0, 5e-324, 1e-7, 1.5e-10, 123.456, -98765.4321, 2 ** -30];
  order.ints = [0, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31, 1e15];
  order.text = {
    escapes:
      'quote " backslash \\ slash / newline \n cr \r tab \t bs \b ff \f ctrl \u0001 \u001f del \u007f',
    separators: 'line\u2028para\u2029',
    unicode: 'Тест 测试 עִבְרִית ñ é 😀 𝄞 \u{10ffff} \ufeff \uffff',
  };
  order['10'] = 'ten';
  order['9'] = 'nine';
  order[''] = 'empty key';
  order['key with "quotes" and 😀'] = true;
  order.nested = deep(ORDER_LIMITS.maxDepth - 1);
  order.delivery.floor = 3;
  order.payment.meta = { psp: 'x', list: [null, true, false, [], {}] };
  order.items.push({ ...order.items[0], chrt_id: 1, gift: { note: 'é\n😀' } });
  return JSON.stringify(shuffleKeys(order, seededRandom(11)));
}

describe('canonical bytes through JSON → JSONB → JSON on PostgreSQL', () => {
  it.each([
    ['the sample', sampleJson()],
    ['the sample with keys shuffled', JSON.stringify(shuffleKeys(sampleOrder(), seededRandom(5)))],
    ['unknown fields with floats, unicode, escapes and odd keys', trickyOrderText()],
  ])('%s: stored as canonical text, read back as text', async (_name, text) => {
    const canonical = canonicalJson(decode(text));
    const stored = await roundTrip(canonical);
    // JSONB really did change the text (keys reordered), so the equality below means something
    expect(stored).not.toBe(canonical);
    expect(canonicalJson(decode(stored))).toBe(canonical);
    expect(encodeOrder(decode(stored)).etag).toBe(encodeOrder(decode(text)).etag);
  });

  it('gives the same bytes when the raw message text is what was stored', async () => {
    const text = trickyOrderText();
    expect(canonicalJson(decode(await roundTrip(text)))).toBe(canonicalJson(decode(text)));
  });

  it('gives the same bytes when pg parses the jsonb itself', async () => {
    const canonical = canonicalJson(decode(trickyOrderText()));
    await roundTrip(canonical);
    const { rows } = await client.query<{ data: unknown }>(
      'select data from orders order by id desc limit 1',
    );
    const result = validateOrder(rows[0]?.data);
    expect(result.ok && canonicalJson(result.order)).toBe(canonical);
  });

  it('survives number spellings JSONB normalises (1.0, 1e2, 1E-7, -0.0, 100.50)', async () => {
    const text = sampleJson().replace(
      '"locale"',
      '"spellings":[1.0,1e2,1E-7,-0.0,100.50,0.000001,12345678901234.5],"locale"',
    );
    const canonical = canonicalJson(decode(text));
    expect(canonical).toContain('"spellings":[1,100,1e-7,0,100.5,0.000001,12345678901234.5]');
    expect(canonicalJson(decode(await roundTrip(text)))).toBe(canonical);
    expect(canonicalJson(decode(await roundTrip(canonical)))).toBe(canonical);
  });
});

describe('what PostgreSQL refuses or keeps, and why the model rejects it first', () => {
  it.each([
    ['NUL', '"a\\u0000b"', 'nul_char'],
    ['an unpaired surrogate', '"a\\ud800b"', 'invalid_unicode'],
  ])('%s: jsonb rejects it, so validation does too', async (_name, value, code) => {
    await expect(roundTrip(`{"v":${value}}`)).rejects.toThrow();
    const text = sampleJson().replace('"locale"', `"v":${value},"locale"`);
    const result = decodeOrder(Buffer.from(text), { maxBytes: 1 << 20 });
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid_order',
      problems: [{ path: 'v', code }],
    });
  });

  it('an integer beyond 2^53: jsonb keeps every digit, JavaScript cannot, so it is rejected', async () => {
    expect(await roundTrip('{"v":9007199254740993}')).toBe('{"v": 9007199254740993}');
    expect(JSON.parse('9007199254740993')).toBe(9007199254740992);
    const text = sampleJson().replace('"locale"', '"v":9007199254740993,"locale"');
    const result = decodeOrder(Buffer.from(text), { maxBytes: 1 << 20 });
    expect(result).toMatchObject({ ok: false, problems: [{ path: 'v', code: 'unsafe_integer' }] });
  });
});
