import { ORDER_LIMITS, type ProblemCode, type RejectReason } from '@orders/model';
import type { FakeOrder } from './fake-order.ts';

// Each kind of broken message the generator can send, and what @orders/model's decodeOrder must
// answer for it: the reject reason and (for invalid orders) the path and code of the problem.
export const INVALID_KINDS = [
  'truncated-json',
  'not-json',
  'invalid-utf8',
  'empty',
  'tombstone',
  'not-object',
  'missing-field',
  'wrong-type',
  'not-integer',
  'bad-date',
  'bad-format',
  'nul-char',
  'lone-surrogate',
  'negative-money',
  'no-items',
  'too-many-items',
  'too-long',
  'long-key',
  'forbidden-key',
  'deep-nesting',
  'unsafe-integer',
  'oversize',
] as const;

export type InvalidKind = (typeof INVALID_KINDS)[number];

export type Expectation = { reason: RejectReason; path: string; code: ProblemCode };

export type BadMessage = {
  kind: InvalidKind;
  /** A string is sent as its UTF-8 bytes; a Buffer as is (bytes that are not UTF-8); null = tombstone. */
  value: string | Buffer | null;
  expect: Expectation;
};

export type BadMessageOptions = {
  /** KAFKA_MAX_BYTES of the consumer: `oversize` is just above it. */
  maxBytes: number;
};

type Path = readonly (string | number)[];
type Json = Record<string, unknown>;

/**
 * Builds a broken message of `kind` from a valid `order`. `variant` (any uint32) picks among the
 * ways that kind can be broken, e.g. which required field is missing.
 */
export function makeBadMessage(
  kind: InvalidKind,
  order: FakeOrder,
  seedVariant: number,
  options: BadMessageOptions,
): BadMessage {
  const variant = Math.abs(Math.trunc(seedVariant)) % 0x1_0000_0000;
  const text = JSON.stringify(order);
  const fail = (reason: RejectReason, code: ProblemCode, path = ''): Expectation => ({
    reason,
    path,
    code,
  });
  const invalid = (path: Path, code: ProblemCode) => fail('invalid_order', code, formatPath(path));
  switch (kind) {
    case 'truncated-json': {
      // Cut somewhere inside, as a crashed writer would.
      const cut = 1 + (variant % (text.length - 1));
      return { kind, value: text.slice(0, cut), expect: fail('not_json', 'syntax') };
    }
    case 'not-json': {
      const samples = [
        `order ${order.order_uid} created`,
        `<order uid="${order.order_uid}"/>`,
        `{order_uid: '${order.order_uid}'}`,
        `${text.slice(0, -1)},}`,
        'NaN',
      ];
      return { kind, value: pick(samples, variant), expect: fail('not_json', 'syntax') };
    }
    case 'invalid-utf8': {
      // Latin-1 or random bytes inside an otherwise fine JSON document.
      const bytes = Buffer.from(text, 'utf8');
      const at = bytes.indexOf(0x22, 2 + (variant % Math.max(1, bytes.length - 4)));
      const insert = pick([[0xff], [0xc3], [0xe9, 0x74, 0xe9], [0xed, 0xa0, 0x80]], variant >>> 8);
      const cut = at > 0 ? at + 1 : 2;
      const value = Buffer.concat([
        bytes.subarray(0, cut),
        Buffer.from(insert),
        bytes.subarray(cut),
      ]);
      return { kind, value, expect: fail('not_json', 'syntax') };
    }
    case 'empty':
      return { kind, value: '', expect: fail('empty', 'required') };
    case 'tombstone':
      return { kind, value: null, expect: fail('empty', 'required') };
    case 'not-object': {
      const samples = ['[]', '42', `"${order.order_uid}"`, 'null', 'true', `[${text}]`];
      return { kind, value: pick(samples, variant), expect: fail('not_object', 'type') };
    }
    case 'missing-field': {
      const path = pick(requiredPaths(order), variant);
      return structured(kind, order, (o) => remove(o, path), invalid(path, 'required'));
    }
    case 'wrong-type': {
      const cases: Array<[Path, unknown]> = [
        [['payment', 'amount'], String(order.payment.amount)],
        [['items'], { ...order.items[0] }],
        [['sm_id'], String(order.sm_id)],
        [['order_uid'], 12345],
        [['delivery'], `${order.delivery.address}, ${order.delivery.city}`],
        [['date_created'], Math.floor(Date.parse(order.date_created) / 1000)],
        [['items', 0, 'status'], true],
        [['locale'], null],
      ];
      const [path, value] = pick(cases, variant);
      return structured(kind, order, (o) => set(o, path, value), invalid(path, 'type'));
    }
    case 'not-integer': {
      const cases: Path[] = [
        ['payment', 'amount'],
        ['items', 0, 'price'],
        ['payment', 'payment_dt'],
      ];
      const path = pick(cases, variant);
      return structured(kind, order, (o) => set(o, path, 12.5), invalid(path, 'not_integer'));
    }
    case 'bad-date': {
      const d = order.date_created;
      const samples = [
        `${d.slice(0, 5)}13-45T99:00:00Z`,
        'yesterday',
        d.replace('T', ' ').replace('Z', ''),
        d.slice(0, 10),
      ];
      const path = ['date_created'];
      return structured(
        kind,
        order,
        (o) => set(o, path, pick(samples, variant)),
        invalid(path, 'format'),
      );
    }
    case 'bad-format': {
      const cases: Array<[Path, string]> = [
        [['delivery', 'phone'], 'call after 6pm'],
        [['delivery', 'email'], order.delivery.email.replace('@', ' at ')],
        [['payment', 'currency'], order.payment.currency.toLowerCase()],
        [['order_uid'], `${order.order_uid}/../admin`],
        [['locale'], 'english (US)'],
        [['delivery', 'zip'], '#12345'],
      ];
      const [path, value] = pick(cases, variant);
      return structured(kind, order, (o) => set(o, path, value), invalid(path, 'format'));
    }
    case 'nul-char': {
      const cases: Path[] = [['delivery', 'name'], ['items', 0, 'name'], ['customer_id']];
      const path = pick(cases, variant);
      return structured(
        kind,
        order,
        (o) => set(o, path, `${String(get(o, path))}\u0000`),
        invalid(path, 'nul_char'),
      );
    }
    case 'lone-surrogate': {
      // JSON.stringify escapes a lone surrogate as \ud83d: valid JSON text, invalid Unicode.
      const path = ['delivery', 'city'];
      return structured(
        kind,
        order,
        (o) => set(o, path, `${order.delivery.city}\ud83d`),
        invalid(path, 'invalid_unicode'),
      );
    }
    case 'negative-money': {
      const cases: Path[] = [
        ['payment', 'amount'],
        ['payment', 'delivery_cost'],
        ['items', 0, 'price'],
        ['items', 0, 'total_price'],
      ];
      const path = pick(cases, variant);
      return structured(
        kind,
        order,
        (o) => set(o, path, -100 - (variant % 1000)),
        invalid(path, 'too_small'),
      );
    }
    case 'no-items':
      return structured(kind, order, (o) => set(o, ['items'], []), invalid(['items'], 'too_short'));
    case 'too-many-items': {
      const items = Array.from({ length: ORDER_LIMITS.maxItems + 1 }, () => order.items[0]);
      const bad = structured(
        kind,
        order,
        (o) => set(o, ['items'], items),
        invalid(['items'], 'too_long'),
      );
      // An order with long item fields times maxItems + 1 can pass a small maxBytes: the consumer
      // then refuses it for its size, before parsing, so that is what to expect.
      const size = Buffer.byteLength(bad.value as string);
      return size > options.maxBytes ? { ...bad, expect: fail('too_large', 'too_long') } : bad;
    }
    case 'too-long': {
      const max = ORDER_LIMITS.string.delivery.name.max;
      const path = ['delivery', 'name'];
      const long = order.delivery.name.padEnd(max + 1 + (variant % 100), ' Jr.');
      return structured(kind, order, (o) => set(o, path, long), invalid(path, 'too_long'));
    }
    case 'long-key': {
      const key = 'x'.repeat(ORDER_LIMITS.maxKeyLength + 1);
      return structured(kind, order, (o) => set(o, [key], true), invalid([key], 'too_long'));
    }
    case 'forbidden-key': {
      // Written as text: an object literal's __proto__ would set the prototype, not a key.
      const key = pick(['__proto__', 'constructor', 'prototype'], variant);
      const value = `{"${key}":{"isAdmin":true},${text.slice(1)}`;
      return { kind, value, expect: invalid([key], 'forbidden_key') };
    }
    case 'deep-nesting': {
      // An unknown field whose arrays reach one level deeper than allowed (the order is level 1).
      const arrays = ORDER_LIMITS.maxDepth + (variant % 50);
      const value = `{"meta":${'['.repeat(arrays)}1${']'.repeat(arrays)},${text.slice(1)}`;
      const path = ['meta', ...Array<number>(ORDER_LIMITS.maxDepth - 1).fill(0)];
      return { kind, value, expect: invalid(path, 'too_deep') };
    }
    case 'unsafe-integer': {
      const path = ['items', 0, 'nm_id'];
      // Written as text: the digits must reach the consumer, not a rounded double.
      const digits = '9007199254740993';
      const value = text.replace(`"nm_id":${order.items[0]?.nm_id}`, `"nm_id":${digits}`);
      return { kind, value, expect: invalid(path, 'unsafe_integer') };
    }
    case 'oversize': {
      // Just above the limit, with the padding in an unknown field: the only problem is size.
      const target = options.maxBytes + 1 + (variant % 4096);
      const overhead = Buffer.byteLength(text) + '"padding":"",'.length;
      const value = `{"padding":"${'x'.repeat(Math.max(0, target - overhead))}",${text.slice(1)}`;
      return { kind, value, expect: fail('too_large', 'too_long') };
    }
  }
}

function structured(
  kind: InvalidKind,
  order: FakeOrder,
  change: (o: Json) => void,
  expect: Expectation,
): BadMessage {
  const copy = structuredClone(order) as unknown as Json;
  change(copy);
  return { kind, value: JSON.stringify(copy), expect };
}

/** Every field the schema requires, in the order's own shape. */
export function requiredPaths(order: FakeOrder): Path[] {
  const paths: Path[] = [];
  for (const [key, value] of Object.entries(order)) {
    paths.push([key]);
    if (key === 'items') {
      for (const field of Object.keys(order.items[0] ?? {})) paths.push(['items', 0, field]);
    } else if (typeof value === 'object' && value !== null) {
      for (const field of Object.keys(value)) paths.push([key, field]);
    }
  }
  return paths;
}

function pick<T>(items: readonly T[], variant: number): T {
  return items[variant % items.length] as T;
}

function parentOf(root: Json, path: Path): Record<string | number, unknown> {
  let node: unknown = root;
  for (const segment of path.slice(0, -1))
    node = (node as Record<string | number, unknown>)[segment];
  return node as Record<string | number, unknown>;
}

function get(root: Json, path: Path): unknown {
  return parentOf(root, path)[path[path.length - 1] as string | number];
}

function set(root: Json, path: Path, value: unknown): void {
  parentOf(root, path)[path[path.length - 1] as string | number] = value;
}

function remove(root: Json, path: Path): void {
  delete parentOf(root, path)[path[path.length - 1] as string | number];
}

/**
 * Same format as @orders/model's problem paths: `items[0].price`; a key that is not an
 * identifier, or longer than 64 characters (then cut, with …), is quoted: `["a.b"]`.
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment) && segment.length <= 64) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment.length > 64 ? `${segment.slice(0, 64)}…` : segment)}]`;
    }
  }
  return out;
}
