import type { Order } from '@orders/model';
import { createOrderStore } from '@orders/store';
import type { Hono } from 'hono';
import type { AdminDeps, DeadLetterRecord } from '../../admin/deps.ts';
import { createApiMetrics, noIngestFigures } from '../../api-metrics.ts';
import { createApp } from '../../app.ts';
import { TEST_TOKENS } from '../../test/admin-app.ts';
import { createFakeDeadLetters, ledgerLetter } from '../../test/fake-dead-letters.ts';
import { createFakeReader } from '../../test/fake-reader.ts';
import { createFakeRedrive, type FakeRedrive } from './fake-redrive.ts';
import { MARKUP_IMG, RLO_NAME, sampleOrder } from './orders.ts';

export const ADMIN_SECRET = TEST_TOKENS[0].secret;
const MAX_BYTES = 512 * 1024;

/** Letter ids of the fixtures, for the tests to open. */
export const LETTER = {
  /** the value is exactly `<img src=x onerror=…>`: not JSON */
  markup: 9001,
  /** an order whose text holds markup, with problems at paths in it */
  markupOrder: 9002,
  /** bytes that are not UTF-8 */
  binary: 9003,
  /** bidi controls in the value, the uid and a problem's message */
  bidi: 9004,
  /** an order with a negative price: fixable by editing */
  fixable: 9005,
} as const;

/** How many filler letters the fixture holds besides the named ones (paging). */
export const FILLER = 45;

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function at(second: number): string {
  const s = String(second % 60).padStart(2, '0');
  const m = String(Math.floor(second / 60)).padStart(2, '0');
  return `2026-12-02T10:${m}:${s}.000001Z`;
}

function fixtures(): DeadLetterRecord[] {
  const letters: DeadLetterRecord[] = [];
  for (let i = 1; i <= FILLER; i++) {
    letters.push(
      ledgerLetter({
        id: i,
        storedAt: at(i),
        reason: i % 3 === 0 ? 'not_json' : 'invalid_order',
      }),
    );
  }
  const markupValue = Buffer.from(MARKUP_IMG);
  letters.push(
    ledgerLetter({
      id: LETTER.markup,
      reason: 'not_json',
      problems: [{ path: '', code: 'invalid', message: `Unexpected token '<', "${MARKUP_IMG}"` }],
      key: Buffer.from('<script>window.__pwned=5</script>'),
      uid: null,
      value: markupValue,
      size: markupValue.byteLength,
      storedAt: at(200),
    }),
  );
  const markupOrder = {
    ...sampleOrder('markup-letter-1'),
    delivery: { ...sampleOrder('x').delivery, name: MARKUP_IMG, email: 'not-an-email' },
  };
  letters.push(
    ledgerLetter({
      id: LETTER.markupOrder,
      problems: [
        { path: 'delivery.email', code: 'format', message: `<b>${MARKUP_IMG}</b> is not an email` },
        { path: 'delivery.phone2', code: 'forbidden_key', message: 'unknown key' },
      ],
      uid: 'markup-letter-1',
      value: json(markupOrder),
      size: json(markupOrder).byteLength,
      storedAt: at(201),
    }),
  );
  const binary = Buffer.from([0xff, 0xfe, 0x7b, 0x3c, 0x69, 0x6d, 0x67, 0x00, 0xc3, 0x28]);
  letters.push(
    ledgerLetter({
      id: LETTER.binary,
      reason: 'not_json',
      problems: [{ path: '', code: 'invalid_unicode', message: 'not valid UTF-8' }],
      key: Buffer.from([0xff, 0x00]),
      uid: null,
      value: binary,
      size: binary.byteLength,
      storedAt: at(202),
    }),
  );
  const bidiOrder = {
    ...sampleOrder('bidi-order-1'),
    order_uid: `bidi-${RLO_NAME}`,
    delivery: { ...sampleOrder('x').delivery, name: RLO_NAME, city: 'בנק לאומי' },
  };
  letters.push(
    ledgerLetter({
      id: LETTER.bidi,
      problems: [
        { path: 'order_uid', code: 'format', message: `order_uid ${RLO_NAME} is not a uid` },
        { path: 'delivery.name', code: 'format', message: 'hidden characters' },
      ],
      uid: `bidi-${RLO_NAME}`,
      value: json(bidiOrder),
      size: json(bidiOrder).byteLength,
      storedAt: at(203),
    }),
  );
  const base = sampleOrder('fixable-order-1');
  const [item] = base.items as [Order['items'][number]];
  const fixable = { ...base, items: [{ ...item, price: -453 }] };
  letters.push(
    ledgerLetter({
      id: LETTER.fixable,
      problems: [{ path: 'items[0].price', code: 'too_small', message: 'must be at least 0' }],
      uid: 'fixable-order-1',
      value: json(fixable),
      size: json(fixable).byteLength,
      storedAt: at(204),
    }),
  );
  return letters;
}

export type DeadLettersTestApp = { app: Hono; redrive: FakeRedrive; logged: string[] };

/**
 * The real API app (createApp, page and admin API included) with ADMIN_TOKENS set, the fake
 * ledger holding the fixtures above and a fake redrive service.
 */
export function createDeadLettersTestApp(): DeadLettersTestApp {
  const figures = noIngestFigures();
  const redrive = createFakeRedrive({ maxBytes: MAX_BYTES });
  const admin: AdminDeps = {
    tokens: TEST_TOKENS,
    deadLetters: createFakeDeadLetters(fixtures()),
    maxMessageBytes: MAX_BYTES,
    redrive,
  };
  const logged: string[] = [];
  const app = createApp({
    store: createOrderStore({ maxOrders: 10, maxBytes: 1e6, maxAgeMs: Infinity }),
    reader: createFakeReader(),
    metrics: createApiMetrics({ ingest: () => figures }),
    readiness: () => ({ ready: true, reasons: [] }),
    getOrderById: true,
    admin,
    logger: { error: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) },
  });
  return { app, redrive, logged };
}
