import { seededRandom } from '@orders/testing';
import { describe, expect, it } from 'vitest';
import { ORDER_LIMITS } from './limits.ts';
import { PROBLEM_CODES, type Problem } from './problem.ts';
import { garbage, sampleJson, sampleOrder } from './testing.ts';
import { validateOrder } from './validate.ts';

function problemsOf(input: unknown): Problem[] {
  const result = validateOrder(input);
  if (result.ok) throw new Error('expected the order to be rejected');
  return result.problems;
}

/** The sample with one change; `change` mutates it in place. */
// biome-ignore lint/suspicious/noExplicitAny: the sample is untyped JSON on purpose
function withChange(change: (order: any) => void): unknown {
  const order = sampleOrder();
  change(order);
  return order;
}

describe('validateOrder: the sample', () => {
  it('accepts the sample and returns it unchanged', () => {
    const result = validateOrder(sampleOrder());
    expect(result).toEqual({ ok: true, order: sampleOrder() });
  });
});

// Each rule: one change to the sample, the one problem it must produce.
// biome-ignore lint/suspicious/noExplicitAny: see withChange
const rules: [string, (o: any) => void, string, Problem['code']][] = [
  ['order_uid missing', (o) => delete o.order_uid, 'order_uid', 'required'],
  ['order_uid empty', (o) => (o.order_uid = ''), 'order_uid', 'too_short'],
  ['order_uid with a slash', (o) => (o.order_uid = 'a/b'), 'order_uid', 'format'],
  ['order_uid with a space', (o) => (o.order_uid = 'a b'), 'order_uid', 'format'],
  ['order_uid 65 chars', (o) => (o.order_uid = 'a'.repeat(65)), 'order_uid', 'too_long'],
  ['order_uid a number', (o) => (o.order_uid = 42), 'order_uid', 'type'],
  ['track_number blank', (o) => (o.track_number = '   '), 'track_number', 'format'],
  ['entry missing', (o) => delete o.entry, 'entry', 'required'],
  ['entry null', (o) => (o.entry = null), 'entry', 'type'],
  ['delivery missing', (o) => delete o.delivery, 'delivery', 'required'],
  ['delivery an array', (o) => (o.delivery = []), 'delivery', 'type'],
  ['delivery.name empty', (o) => (o.delivery.name = ''), 'delivery.name', 'too_short'],
  ['delivery.phone letters', (o) => (o.delivery.phone = 'call me'), 'delivery.phone', 'format'],
  ['delivery.phone 4 digits', (o) => (o.delivery.phone = '+1234'), 'delivery.phone', 'format'],
  [
    'delivery.phone 21 digits',
    (o) => (o.delivery.phone = '1'.repeat(21)),
    'delivery.phone',
    'format',
  ],
  ['delivery.phone missing', (o) => delete o.delivery.phone, 'delivery.phone', 'required'],
  ['delivery.zip empty', (o) => (o.delivery.zip = ''), 'delivery.zip', 'too_short'],
  ['delivery.zip symbol', (o) => (o.delivery.zip = '#123'), 'delivery.zip', 'format'],
  ['delivery.city blank', (o) => (o.delivery.city = '\t'), 'delivery.city', 'format'],
  ['delivery.address missing', (o) => delete o.delivery.address, 'delivery.address', 'required'],
  ['delivery.region missing', (o) => delete o.delivery.region, 'delivery.region', 'required'],
  ['delivery.email no @', (o) => (o.delivery.email = 'test.gmail.com'), 'delivery.email', 'format'],
  ['delivery.email no tld', (o) => (o.delivery.email = 'test@gmail'), 'delivery.email', 'format'],
  ['delivery.email space', (o) => (o.delivery.email = 'a b@c.de'), 'delivery.email', 'format'],
  ['payment missing', (o) => delete o.payment, 'payment', 'required'],
  [
    'payment.transaction empty',
    (o) => (o.payment.transaction = ''),
    'payment.transaction',
    'too_short',
  ],
  [
    'payment.currency lower case',
    (o) => (o.payment.currency = 'usd'),
    'payment.currency',
    'format',
  ],
  [
    'payment.currency 2 letters',
    (o) => (o.payment.currency = 'US'),
    'payment.currency',
    'too_short',
  ],
  [
    'payment.currency 4 letters',
    (o) => (o.payment.currency = 'USDT'),
    'payment.currency',
    'too_long',
  ],
  ['payment.provider missing', (o) => delete o.payment.provider, 'payment.provider', 'required'],
  ['payment.amount negative', (o) => (o.payment.amount = -1), 'payment.amount', 'too_small'],
  ['payment.amount fraction', (o) => (o.payment.amount = 18.17), 'payment.amount', 'not_integer'],
  ['payment.amount a string', (o) => (o.payment.amount = '1817'), 'payment.amount', 'type'],
  ['payment.amount 2^53', (o) => (o.payment.amount = 2 ** 53), 'payment.amount', 'unsafe_integer'],
  [
    'payment.payment_dt in ms',
    (o) => (o.payment.payment_dt = 1637907727000),
    'payment.payment_dt',
    'too_big',
  ],
  [
    'payment.payment_dt negative',
    (o) => (o.payment.payment_dt = -1),
    'payment.payment_dt',
    'too_small',
  ],
  [
    'payment.delivery_cost negative',
    (o) => (o.payment.delivery_cost = -5),
    'payment.delivery_cost',
    'too_small',
  ],
  [
    'payment.goods_total fraction',
    (o) => (o.payment.goods_total = 0.5),
    'payment.goods_total',
    'not_integer',
  ],
  [
    'payment.custom_fee negative',
    (o) => (o.payment.custom_fee = -1),
    'payment.custom_fee',
    'too_small',
  ],
  ['items missing', (o) => delete o.items, 'items', 'required'],
  ['items empty', (o) => (o.items = []), 'items', 'too_short'],
  ['items an object', (o) => (o.items = {}), 'items', 'type'],
  [
    'items over the cap',
    (o) => (o.items = Array(ORDER_LIMITS.maxItems + 1).fill(o.items[0])),
    'items',
    'too_long',
  ],
  ['items[0] null', (o) => (o.items = [null]), 'items[0]', 'type'],
  [
    'items[1].rid missing',
    (o) => o.items.push({ ...o.items[0], rid: undefined }),
    'items[1].rid',
    'required',
  ],
  ['items[0].chrt_id negative', (o) => (o.items[0].chrt_id = -1), 'items[0].chrt_id', 'too_small'],
  ['items[0].price negative', (o) => (o.items[0].price = -1), 'items[0].price', 'too_small'],
  ['items[0].price fraction', (o) => (o.items[0].price = 4.53), 'items[0].price', 'not_integer'],
  ['items[0].sale over 100', (o) => (o.items[0].sale = 101), 'items[0].sale', 'too_big'],
  ['items[0].sale negative', (o) => (o.items[0].sale = -1), 'items[0].sale', 'too_small'],
  [
    'items[0].total_price negative',
    (o) => (o.items[0].total_price = -1),
    'items[0].total_price',
    'too_small',
  ],
  ['items[0].nm_id a string', (o) => (o.items[0].nm_id = '2389212'), 'items[0].nm_id', 'type'],
  ['items[0].status fraction', (o) => (o.items[0].status = 2.5), 'items[0].status', 'not_integer'],
  ['items[0].name empty', (o) => (o.items[0].name = ''), 'items[0].name', 'too_short'],
  [
    'items[0].track_number empty',
    (o) => (o.items[0].track_number = ''),
    'items[0].track_number',
    'too_short',
  ],
  ['items[0].brand missing', (o) => delete o.items[0].brand, 'items[0].brand', 'required'],
  ['items[0].size a number', (o) => (o.items[0].size = 0), 'items[0].size', 'type'],
  ['locale with a space', (o) => (o.locale = 'en US'), 'locale', 'format'],
  [
    'internal_signature too long',
    (o) => (o.internal_signature = 'x'.repeat(1025)),
    'internal_signature',
    'too_long',
  ],
  ['customer_id empty', (o) => (o.customer_id = ''), 'customer_id', 'too_short'],
  ['delivery_service missing', (o) => delete o.delivery_service, 'delivery_service', 'required'],
  ['shardkey a number', (o) => (o.shardkey = 9), 'shardkey', 'type'],
  ['sm_id negative', (o) => (o.sm_id = -1), 'sm_id', 'too_small'],
  ['oof_shard too long', (o) => (o.oof_shard = '1'.repeat(17)), 'oof_shard', 'too_long'],
  [
    'date_created without timezone',
    (o) => (o.date_created = '2021-11-26T06:22:19'),
    'date_created',
    'format',
  ],
  ['date_created date only', (o) => (o.date_created = '2021-11-26'), 'date_created', 'format'],
  [
    'date_created 30 February',
    (o) => (o.date_created = '2021-02-30T06:22:19Z'),
    'date_created',
    'format',
  ],
  ['date_created not a date', (o) => (o.date_created = 'yesterday'), 'date_created', 'format'],
  ['date_created unix seconds', (o) => (o.date_created = 1637907727), 'date_created', 'type'],
  [
    'NUL in a known string',
    (o) => (o.delivery.name = 'Test\u0000Testov'),
    'delivery.name',
    'nul_char',
  ],
  [
    'lone surrogate in a known string',
    (o) => (o.items[0].brand = 'Viv\ud800'),
    'items[0].brand',
    'invalid_unicode',
  ],
  [
    'NUL in an unknown string',
    (o) => (o.extra = { deep: [{ x: 'a\u0000' }] }),
    'extra.deep[0].x',
    'nul_char',
  ],
  [
    'NUL in an unknown key',
    (o) => (o.delivery['a\u0000b'] = 1),
    'delivery["a\\u0000b"]',
    'nul_char',
  ],
  [
    'lone surrogate in an unknown key',
    (o) => (o.payment['\udc00'] = 1),
    'payment["\\udc00"]',
    'invalid_unicode',
  ],
  [
    'unsafe integer in an unknown field',
    (o) => (o.items[0].big = 2 ** 63),
    'items[0].big',
    'unsafe_integer',
  ],
  [
    'unknown key too long',
    (o) => (o.meta = { ['k'.repeat(129)]: 1 }),
    `meta["${'k'.repeat(64)}…"]`,
    'too_long',
  ],
  [
    'constructor key',
    (o) => (o.delivery.constructor = {}),
    'delivery.constructor',
    'forbidden_key',
  ],
  ['prototype key', (o) => (o.meta = [{ prototype: 1 }]), 'meta[0].prototype', 'forbidden_key'],
  ['a Date in an unknown field', (o) => (o.when = new Date(0)), 'when', 'type'],
  ['a function in an unknown field', (o) => (o.fn = () => 1), 'fn', 'type'],
  ['a bigint in an unknown field', (o) => (o.big = 1n), 'big', 'type'],
  ['NaN in an unknown field', (o) => (o.n = Number.NaN), 'n', 'type'],
  ['undefined inside an array', (o) => (o.list = [1, undefined]), 'list[1]', 'type'],
];

describe('validateOrder: one failing case per rule', () => {
  it.each(rules)('%s → %s %s', (_name, change, path, code) => {
    expect(problemsOf(withChange(change))).toEqual([{ path, code, message: expect.any(String) }]);
  });
});

describe('validateOrder: values that are allowed', () => {
  // biome-ignore lint/suspicious/noExplicitAny: see withChange
  const allowed: [string, (o: any) => void][] = [
    [
      'empty request_id, internal_signature, region, email, bank, size, brand, shardkey, oof_shard',
      (o) => {
        o.payment.request_id = '';
        o.internal_signature = '';
        o.delivery.region = '';
        o.delivery.email = '';
        o.payment.bank = '';
        o.items[0].size = '';
        o.items[0].brand = '';
        o.shardkey = '';
        o.oof_shard = '';
      },
    ],
    ['a phone with separators', (o) => (o.delivery.phone = '+1 (555) 123-4567')],
    ['a UK postcode', (o) => (o.delivery.zip = 'SW1A 1AA')],
    ['a region-qualified locale', (o) => (o.locale = 'pt-BR')],
    [
      'date_created with an offset and fraction',
      (o) => (o.date_created = '2021-11-26T09:22:19.123456+03:00'),
    ],
    [
      'date_created with milliseconds (Date#toISOString)',
      (o) => (o.date_created = new Date(0).toISOString()),
    ],
    [
      'zero money and sale 0 and 100',
      (o) => {
        o.payment.amount = 0;
        o.items[0].sale = 100;
        o.items.push({ ...o.items[0], sale: 0 });
      },
    ],
    ['totals that do not add up (the producer owns that rule)', (o) => (o.payment.goods_total = 1)],
    ['items exactly at the cap', (o) => (o.items = Array(ORDER_LIMITS.maxItems).fill(o.items[0]))],
    ['the largest safe integer', (o) => (o.payment.amount = Number.MAX_SAFE_INTEGER)],
    ['unicode text', (o) => (o.delivery.name = 'Тест Тестов 😀 ñ')],
    ['nesting exactly at the depth cap', (o) => (o.meta = nest(ORDER_LIMITS.maxDepth - 1))],
    ['an undefined property (absent, as in JSON)', (o) => (o.note = undefined)],
  ];
  it.each(allowed)('%s', (_name, change) => {
    expect(validateOrder(withChange(change)).ok).toBe(true);
  });
});

/** `depth` nested objects: nest(1) = {}, nest(2) = {a:{}} (the root order adds one level). */
function nest(depth: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('validateOrder: date_created', () => {
  // The store keeps dateCreated as epoch ms: every accepted form must parse with Date.parse.
  it.each([
    '2021-11-26T06:22:19Z',
    '2021-11-26T09:22:19+03:00',
    '2021-11-26T06:22:19.123456789Z',
    '2020-02-29T00:00:00-14:00',
    '0000-01-01T00:00:00Z',
    `2021-11-26T06:22:19.${'9'.repeat(43)}Z`,
  ])('%s is accepted and Date.parse gives a finite time', (date) => {
    expect(validateOrder(withChange((o) => (o.date_created = date))).ok).toBe(true);
    expect(Number.isFinite(Date.parse(date))).toBe(true);
  });
});

describe('validateOrder: string caps', () => {
  // A valid value of exactly `length` characters for each capped field.
  const valid: Record<string, (length: number) => string> = {
    'delivery.phone': (n) => `+${'1'.repeat(20)}${' '.repeat(n - 21)}`,
    'delivery.email': (n) => (n === 0 ? '' : `${'a'.repeat(n - 5)}@b.cd`),
    'payment.currency': () => 'EUR',
    locale: (n) =>
      `en${'-abcdefgh'.repeat(Math.floor((n - 2) / 9))}${n % 9 === 2 ? '' : `-${'x'.repeat(((n - 2) % 9) - 1)}`}`,
    date_created: (n) => `2021-11-26T06:22:19.${'1'.repeat(n - 21)}Z`,
  };
  const groups = Object.entries(ORDER_LIMITS.string).flatMap(([group, fields]) =>
    Object.entries(fields).map(([field, bounds]) => {
      const path =
        group === 'order' ? field : group === 'item' ? `items[0].${field}` : `${group}.${field}`;
      return [path, bounds.min, bounds.max] as const;
    }),
  );

  it.each(groups)('%s: %i..%i characters', (path, min, max) => {
    const make = valid[path] ?? ((n: number) => 'A'.repeat(n));
    const at = (length: number) => withChange((o) => setPath(o, path, make(length)));
    expect(make(max)).toHaveLength(max);
    expect(validateOrder(at(max)).ok).toBe(true);
    expect(problemsOf(withChange((o) => setPath(o, path, `${make(max)}1`)))).toEqual([
      { path, code: 'too_long', message: expect.any(String) },
    ]);
    if (min > 0) {
      expect(problemsOf(withChange((o) => setPath(o, path, '')))).toEqual([
        { path, code: 'too_short', message: expect.any(String) },
      ]);
    } else {
      expect(validateOrder(at(0)).ok).toBe(true);
    }
  });
});

// biome-ignore lint/suspicious/noExplicitAny: a path into untyped JSON
function setPath(root: any, path: string, value: unknown): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const last = parts.pop() as string;
  let target = root;
  for (const part of parts) target = target[part];
  target[last] = value;
}

describe('validateOrder: forbidden keys', () => {
  // Only JSON.parse (or defineProperty) makes "__proto__" an own key, as a Kafka message would.
  it.each([
    ['"entry"', '"__proto__":{"polluted":true},', '__proto__'],
    ['"name": "Test Testov"', '"__proto__":{"polluted":true},', 'delivery.__proto__'],
    ['"chrt_id"', '"__proto__":1,', 'items[0].__proto__'],
    [
      '"entry"',
      '"meta":{"a":[{"constructor":{"prototype":{"polluted":true}}}]},',
      'meta.a[0].constructor',
    ],
    ['"entry"', '"prototype":{},', 'prototype'],
  ])('%s ← %s → forbidden_key at %s', (before, insert, path) => {
    const order = JSON.parse(sampleJson().replace(before, insert + before));
    expect(problemsOf(order)).toEqual([
      { path, code: 'forbidden_key', message: expect.any(String) },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validateOrder: nesting', () => {
  it('rejects nesting deeper than the cap once, at the first level too deep', () => {
    const order = withChange((o) => (o.meta = nest(ORDER_LIMITS.maxDepth)));
    const path = `meta${'.a'.repeat(ORDER_LIMITS.maxDepth - 1)}`;
    expect(problemsOf(order)).toEqual([{ path, code: 'too_deep', message: expect.any(String) }]);
  });

  it('stops at the cap on a very deep value instead of overflowing the stack', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const problems = problemsOf(withChange((o) => (o.meta = deep)));
    expect(problems.map((p) => p.code)).toEqual(['too_deep']);
  });
});

describe('validateOrder: every problem at once', () => {
  it('lists problems from different levels together, each with its own path', () => {
    const order = withChange((o) => {
      o.order_uid = '';
      o.delivery.phone = 'x';
      o.payment.amount = -1;
      o.items[0].sale = 300;
      o.meta = { bad: 'a\u0000' };
    });
    const found = problemsOf(order).map((p) => `${p.path} ${p.code}`);
    expect(found.sort()).toEqual(
      [
        'order_uid too_short',
        'delivery.phone format',
        'payment.amount too_small',
        'items[0].sale too_big',
        'meta.bad nul_char',
      ].sort(),
    );
  });

  it(`lists at most ${ORDER_LIMITS.maxProblems} problems and says how many more there were`, () => {
    const problems = problemsOf(withChange((o) => (o.items = Array(500).fill({}))));
    expect(problems).toHaveLength(ORDER_LIMITS.maxProblems + 1);
    expect(problems.at(-1)).toEqual({
      path: '',
      code: 'too_many_problems',
      message: expect.stringMatching(/^\d+ more/),
    });
  });

  it('rejects a non-object root with one problem at the root', () => {
    for (const input of [null, [], 'order', 42]) {
      expect(problemsOf(input)).toEqual([{ path: '', code: 'type', message: expect.any(String) }]);
    }
    expect(problemsOf(undefined)).toEqual([
      { path: '', code: 'required', message: expect.any(String) },
    ]);
  });
});

describe('validateOrder: unknown fields', () => {
  it('keeps unknown fields at every level, values untouched', () => {
    const order = withChange((o) => {
      o.extra = { nested: [1, 'two', { three: null }], flag: true };
      o.delivery.floor = 3;
      o.payment.meta = { psp: 'x' };
      o.items[0].gift_wrap = { color: 'red' };
    });
    const result = validateOrder(order);
    expect(result).toEqual({ ok: true, order });
  });

  it('does not let a forbidden key reach the result or any prototype', () => {
    const order = sampleOrder();
    Object.defineProperty(order.delivery, '__proto__', {
      value: { isAdmin: true },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    const result = validateOrder(order);
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe('validateOrder: never throws', () => {
  it('returns a problem when reading the input throws (a getter, a revoked proxy)', () => {
    const order = sampleOrder();
    Object.defineProperty(order, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter failed');
      },
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const input of [order, proxy]) {
      const problems = problemsOf(input);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.code).toBe('invalid');
    }
  });
});

function assertWellFormed(result: ReturnType<typeof validateOrder>): void {
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  expect(result.problems.length).toBeLessThanOrEqual(ORDER_LIMITS.maxProblems + 1);
  for (const problem of result.problems) {
    expect(PROBLEM_CODES).toContain(problem.code);
    expect(typeof problem.path).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    expect(`${problem.path}${problem.message}`.includes('\u0000')).toBe(false);
    expect(`${problem.path}${problem.message}`.isWellFormed()).toBe(true);
  }
}

describe('validateOrder: fuzz-like garbage', () => {
  it('never throws on random values and always returns well-formed problems', () => {
    const random = seededRandom(20240601);
    for (let i = 0; i < 2000; i++) assertWellFormed(validateOrder(garbage(random)));
  });

  it('never throws on the sample with random fields replaced by garbage', () => {
    const random = seededRandom(7);
    const paths = [
      'order_uid',
      'delivery',
      'delivery.phone',
      'payment.amount',
      'items',
      'items[0]',
      'items[0].price',
      'date_created',
      'extra',
    ];
    for (let i = 0; i < 2000; i++) {
      const order = withChange((o) =>
        setPath(o, paths[Math.floor(random() * paths.length)] as string, garbage(random)),
      );
      assertWellFormed(validateOrder(order));
    }
  });

  it('handles huge arrays at the root, in items and in unknown fields', () => {
    const huge = Array.from({ length: 300_000 }, (_, i) => (i % 2 ? {} : 'x'));
    for (const input of [huge, withChange((o) => (o.items = huge))]) {
      const result = validateOrder(input);
      assertWellFormed(result);
      expect(result.ok).toBe(false);
    }
    // An unknown field may hold a big array: only maxBytes upstream bounds it.
    expect(validateOrder(withChange((o) => (o.extra = huge))).ok).toBe(true);
  });
});
