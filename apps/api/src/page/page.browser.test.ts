import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './test/chromium.ts';
import { startTestServer, type TestServer } from './test/http-server.ts';
import {
  bigOrder,
  hiddenCharsOrder,
  MARKUP_IMG,
  MARKUP_SCRIPT,
  markupOrder,
  sampleOrder,
} from './test/orders.ts';
import { createPageTestApp, type PageTestApp } from './test/page-app.ts';

// The page in a real browser (Debian's chromium via playwright-core) against a real HTTP server.
// Screenshots go to apps/api/test-results/ (git-ignored) for a person to look at.

// Callbacks given to page.evaluate() run inside chromium. The API's tsconfig has no DOM lib (it is
// server code, and DOM typings would change Node's), so the browser globals they touch are
// declared here, for this file only.
type BrowserElement = {
  id: string;
  getAttribute(name: string): string | null;
  className: string;
  textContent: string | null;
  getBoundingClientRect(): { right: number; width: number };
};
declare const document: {
  activeElement: BrowserElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  body: { innerHTML: string };
  getElementById(id: string): BrowserElement | null;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  dispatchEvent(event: Event): boolean;
  createTreeWalker(root: unknown, whatToShow: number): { nextNode(): BrowserText | null };
  createRange(): {
    setStart(node: BrowserText, offset: number): void;
    setEnd(node: BrowserText, offset: number): void;
    getBoundingClientRect(): { left: number; top: number; height: number };
  };
};
type BrowserText = { textContent: string | null };
declare const window: { __pwned?: unknown };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(element: unknown): {
  outlineStyle: string;
  borderStyle: string;
  direction: string;
};

const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const SAMPLE_UID = 'b563feb7b2b84b6test';
const BIG_UID = 'big-order-0001';
const MARKUP_UID = 'markup-order-0001';
const HIDDEN_UID = 'hidden-chars-0001';
/** An order_uid of digits only, which no order has as its numeric id. */
const DIGIT_UID = '20240615000042';

let browser: Browser;
let server: TestServer;
let fixture: PageTestApp;
const ids: Record<string, number> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fixture = createPageTestApp();
  ids.sample = fixture.ingest(sampleOrder(SAMPLE_UID));
  ids.big = fixture.ingest(bigOrder(BIG_UID));
  ids.markup = fixture.ingest(markupOrder(MARKUP_UID));
  ids.digits = fixture.ingest(sampleOrder(DIGIT_UID));
  // Its uid is the sample order's numeric id: the digits name two different orders.
  ids.clash = fixture.ingest(bigOrder(String(ids.sample)));
  ids.hidden = fixture.ingest(hiddenCharsOrder(HIDDEN_UID));
  server = await startTestServer(fixture.app);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  // No request the page made may have failed inside the API.
  expect(fixture?.logged).toEqual([]);
});

type Opened = { page: Page; problems: string[]; close(): Promise<void> };

/**
 * A fresh browser context on the page. `problems` collects what must never happen: script errors,
 * dialogs, CSP violations. (Failed loads are expected: 404 lookups, a stopped server.)
 */
async function open(
  base: string,
  options: { width?: number; height?: number; path?: string } = {},
): Promise<Opened> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  await page.goto(`${base}${options.path ?? '/'}`);
  return { page, problems, close: () => context.close() };
}

async function lookUp(page: Page, text: string): Promise<void> {
  await page.fill('#lookup-input', text);
  await page.click('#lookup-form button[type="submit"]');
}

async function waitForStatus(page: Page, state: string): Promise<string> {
  await page.waitForSelector(`#status[data-state="${state}"]`, { timeout: 10_000 });
  return (await page.textContent('#status')) ?? '';
}

/** The label → value rows of one card of the order view. */
function fields(page: Page, titleId: string): Promise<Record<string, string>> {
  return page.$$eval(`section[aria-labelledby="${titleId}"] .field`, (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.querySelector('dt')?.textContent ?? '',
        row.querySelector('dd')?.textContent ?? '',
      ]),
    ),
  );
}

function totals(page: Page): Promise<Record<string, string>> {
  return page.$$eval('table.totals tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.querySelector('th')?.textContent ?? '',
        row.querySelector('td')?.textContent ?? '',
      ]),
    ),
  );
}

/** The items table as one label → text record per row. */
function itemRows(page: Page): Promise<Record<string, string>[]> {
  return page.$$eval('table.items tbody tr', (rows) =>
    rows.map((row) =>
      Object.fromEntries(
        [...row.querySelectorAll('td')].map((cell) => [
          cell.getAttribute('data-label') ?? '',
          cell.textContent ?? '',
        ]),
      ),
    ),
  );
}

/** innerText: the text as rendered, which is what a person reads and what these tests assert. */
function rendered(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point here
  return locator.innerText();
}

/** The selector of one field's value in a card of the order view. */
function fieldValue(card: string, label: string): string {
  return `${card} .field:has(> dt:text-is("${label}")) > dd`;
}

/** The label → innerText (the text as rendered) rows of one card. */
async function innerTexts(page: Page, card: string): Promise<Record<string, string>> {
  const rows: Record<string, string> = {};
  for (const row of await page.locator(`${card} .field`).all()) {
    rows[(await row.locator('dt').textContent()) ?? ''] = await rendered(row.locator('dd'));
  }
  return rows;
}

/**
 * An element's text twice: as innerText, and as drawn — its characters sorted by where they are
 * on screen (line by line, each left to right). A bidi override that reordered the glyphs would make the
 * two differ (`evil\u202Egnp.exe` is drawn `evilexe.png`).
 */
async function drawnText(page: Page, selector: string): Promise<{ inner: string; drawn: string }> {
  const inner = await rendered(page.locator(selector));
  const drawn = await page.$eval(selector, (el) => {
    const glyphs: { char: string; x: number; y: number; height: number }[] = [];
    const walker = document.createTreeWalker(el, 4 /* NodeFilter.SHOW_TEXT */);
    const range = document.createRange();
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      let i = 0;
      for (const char of text) {
        range.setStart(node, i);
        range.setEnd(node, i + char.length);
        const rect = range.getBoundingClientRect();
        glyphs.push({ char, x: rect.left, y: rect.top + rect.height / 2, height: rect.height });
        i += char.length;
      }
    }
    // Lines: glyphs whose middles are within half a glyph's height of the line's first.
    glyphs.sort((a, b) => a.y - b.y);
    const lines: (typeof glyphs)[] = [];
    for (const glyph of glyphs) {
      const line = lines.at(-1);
      const first = line?.[0];
      if (line !== undefined && first !== undefined && glyph.y - first.y < first.height / 2) {
        line.push(glyph);
      } else {
        lines.push([glyph]);
      }
    }
    return lines
      .map((line) =>
        line
          .toSorted((a, b) => a.x - b.x)
          .map((glyph) => glyph.char)
          .join(''),
      )
      .join(''); // soft line wraps are not text (innerText has none either)
  });
  return { inner, drawn };
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}

/** The query strings of the page's `GET /orders` requests, in the order they were sent. */
function orderRequests(page: Page): string[] {
  const asked: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/orders') asked.push(url.search);
  });
  return asked;
}

async function statusText(page: Page): Promise<string> {
  return (await page.textContent('#status')) ?? '';
}

/** Elements wider than the viewport, and whether the page scrolls sideways. */
function overflowing(page: Page, selector: string) {
  return page.evaluate(
    (selector) => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll(selector)]
        .filter(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
        )
        .map((el) => el.className),
    }),
    selector,
  );
}

describe('the order page in chromium', { timeout: 45_000 }, () => {
  it('looks up an order by uid and lays it out', async () => {
    const { page, problems, close } = await open(server.url);
    await lookUp(page, SAMPLE_UID);
    expect(await waitForStatus(page, 'found')).toContain(SAMPLE_UID);

    expect(new URL(page.url()).search).toBe(`?uid=${SAMPLE_UID}`);
    expect(await page.title()).toContain(SAMPLE_UID);
    expect(await fields(page, 'order-summary-title')).toMatchObject({
      'Order uid': SAMPLE_UID,
      Id: String(ids.sample),
      'Track number': 'WBILMTESTTRACK',
      Customer: 'test',
      Locale: 'en',
      'Delivery service': 'meest',
    });
    // ICU puts a narrow no-break space before AM in some versions: compare spaces as spaces.
    const created = await page.$eval(
      'section[aria-labelledby="order-summary-title"] time',
      (el) => ({
        text: el.textContent?.replace(/\s/g, ' '),
        datetime: el.getAttribute('datetime'),
      }),
    );
    expect(created).toEqual({
      text: 'Nov 26, 2021, 6:22:19 AM UTC',
      datetime: '2021-11-26T06:22:19.000Z',
    });
    expect(await fields(page, 'order-delivery-title')).toMatchObject({
      Name: 'Test Testov',
      Phone: '+9720000000',
      City: 'Kiryat Mozkin',
      Zip: '2639809',
      Email: 'test@gmail.com',
    });
    expect(await fields(page, 'order-payment-title')).toMatchObject({
      Transaction: SAMPLE_UID,
      Provider: 'wbpay',
      Currency: 'USD',
    });
    expect(await totals(page)).toEqual({
      'Goods total': '3.17 USD',
      'Delivery cost': '15.00 USD',
      'Custom fee': '0.00 USD',
      Amount: '18.17 USD',
    });
    expect(await page.locator('.note').count()).toBe(0);
    expect(await itemRows(page)).toEqual([
      {
        Name: 'Mascaras',
        Brand: 'Vivienne Sabo',
        Size: '0',
        Price: '4.53 USD',
        'Sale %': '30',
        Total: '3.17 USD',
        nm_id: '2389212',
        chrt_id: '9934930',
        rid: 'ab4219087a764ae0btest',
        Status: '202',
      },
    ]);

    // Raw JSON: hidden until toggled, then the order itself; the copy button puts it on the clipboard.
    const toggle = page.getByRole('button', { name: 'Show raw JSON' });
    expect(await page.isVisible('#raw-json')).toBe(false);
    await toggle.click();
    expect(await page.isVisible('#raw-json')).toBe(true);
    expect(await page.getAttribute('button[aria-controls="raw-json"]', 'aria-expanded')).toBe(
      'true',
    );
    expect(JSON.parse((await page.textContent('#raw-json')) ?? '')).toEqual(
      sampleOrder(SAMPLE_UID),
    );
    await page.getByRole('button', { name: 'Copy JSON' }).click();
    await page.waitForSelector('.copy-state:text("Copied.")');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(JSON.parse(copied)).toEqual(sampleOrder(SAMPLE_UID));

    await shot(page, 'order-desktop');
    expect(problems).toEqual([]);
    await close();
  });

  it('looks up by numeric id, and the address reloads and goes back', async () => {
    const { page, problems, close } = await open(server.url);
    await lookUp(page, String(ids.big));
    expect(await waitForStatus(page, 'found')).toBe(
      `Showing order ${BIG_UID}, found by id ${ids.big}.`,
    );
    expect(new URL(page.url()).search).toBe(`?id=${ids.big}`);
    expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(BIG_UID);
    expect((await itemRows(page)).map((row) => [row.Name, row.Total])).toEqual([
      ['Laptop', '10,000.00 RUB'],
      ['Monitor', '2,000.00 RUB'],
      ['Cable', '500.00 RUB'],
    ]);
    expect((await totals(page)).Amount).toBe('12,543.00 RUB');

    await page.reload();
    await waitForStatus(page, 'found');
    expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(BIG_UID);
    expect(await page.inputValue('#lookup-input')).toBe(String(ids.big));

    await lookUp(page, SAMPLE_UID);
    await page.waitForSelector(`#status[data-state="found"]:has-text("${SAMPLE_UID}")`);
    await page.goBack();
    await page.waitForSelector(`#status[data-state="found"]:has-text("${BIG_UID}")`);
    expect(new URL(page.url()).search).toBe(`?id=${ids.big}`);

    // A shared link opens straight on the order.
    await page.goto(`${server.url}/?uid=${SAMPLE_UID}`);
    await waitForStatus(page, 'found');
    expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(SAMPLE_UID);
    expect(problems).toEqual([]);
    await close();
  });

  it('says plainly when no order has the uid, id or track number', async () => {
    const { page, problems, close } = await open(server.url);
    await lookUp(page, SAMPLE_UID);
    await waitForStatus(page, 'found');

    await lookUp(page, 'no-such-order');
    expect(await waitForStatus(page, 'not-found')).toBe(
      'Nothing found for “no-such-order”: no order with that uid or track number.',
    );
    expect(await page.isHidden('#order')).toBe(true);
    await shot(page, 'not-found');

    // Digits in auto mode are asked every way, and the message names each.
    await lookUp(page, '987654');
    await page.waitForSelector('#status[data-state="not-found"]:has-text("987654")');
    expect(await statusText(page)).toBe(
      'Nothing found for “987654”: no order with that id, uid or track number.',
    );
    expect(problems).toEqual([]);
    await close();
  });

  it('explains bad input, whether caught in the page or by the API', async () => {
    const { page, problems, close } = await open(server.url);
    await lookUp(page, '   ');
    expect(await waitForStatus(page, 'bad-input')).toBe(
      'Enter an order uid, a numeric id or a track number.',
    );

    await lookUp(page, 'not a uid!');
    // Not a uid, but it could be a track number: the search says no order has it.
    const message = await waitForStatus(page, 'not-found');
    expect(message).toMatch(
      /^Nothing found for “not a uid!”: no order with that track number \(not a valid order uid either: /,
    );
    expect(message).toContain('letters, digits');
    // "Order uid" chosen: the API's reason is the answer.
    await page.check('input[name="by"][value="uid"]');
    await lookUp(page, 'not a uid!');
    expect(await waitForStatus(page, 'bad-input')).toMatch(/^Not a valid order uid: /);
    await page.check('input[name="by"][value="auto"]');
    await shot(page, 'bad-input');

    // Too long for an id: in auto mode still a possible order_uid, so not found and why.
    await lookUp(page, '9'.repeat(30));
    expect(await waitForStatus(page, 'not-found')).toMatch(
      /^Nothing found for “9{30}”: no order with that uid or track number \(not a valid order id either: id must be/,
    );
    // With "Numeric id" chosen, the API's reason is the answer.
    await page.check('input[name="by"][value="id"]');
    await lookUp(page, '9'.repeat(30));
    expect(await waitForStatus(page, 'bad-input')).toMatch(/^Not a valid order id: /);
    expect(await page.isHidden('#order')).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  it('looks up an all-digit order_uid, and a numeric id still works', async () => {
    const { page, problems, close } = await open(server.url);
    const asked = orderRequests(page);

    // Auto: the digits are asked as the id and as the uid at once; no order has that id.
    await lookUp(page, DIGIT_UID);
    expect(await waitForStatus(page, 'found')).toBe(
      `Showing order ${DIGIT_UID}, found by uid. No order has the id ${DIGIT_UID}.`,
    );
    expect(await fields(page, 'order-summary-title')).toMatchObject({
      'Order uid': DIGIT_UID,
      Id: String(ids.digits),
    });
    expect(asked.toSorted()).toEqual([`?id=${DIGIT_UID}`, `?uid=${DIGIT_UID}`]);
    // The address names the key that found it, so a reload shows the same order by uid only.
    expect(new URL(page.url()).search).toBe(`?uid=${DIGIT_UID}`);
    await shot(page, 'digit-uid-auto');
    asked.length = 0;
    await page.reload();
    await waitForStatus(page, 'found');
    expect(asked).toEqual([`?uid=${DIGIT_UID}`]);
    expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(DIGIT_UID);
    expect(await page.isChecked('input[name="by"][value="uid"]')).toBe(true);

    // A numeric id still finds its order, asked as ?id= (back in auto mode).
    await page.check('input[name="by"][value="auto"]');
    await lookUp(page, String(ids.big));
    await page.waitForSelector(`#status[data-state="found"]:has-text("${BIG_UID}")`);
    expect(await statusText(page)).toBe(`Showing order ${BIG_UID}, found by id ${ids.big}.`);
    expect(new URL(page.url()).search).toBe(`?id=${ids.big}`);

    // "Order uid" chosen: the digits are asked as ?uid= only.
    await page.check('input[name="by"][value="uid"]');
    asked.length = 0;
    await lookUp(page, DIGIT_UID);
    await page.waitForSelector(`#status[data-state="found"]:has-text("${DIGIT_UID}")`);
    expect(await statusText(page)).toBe(`Showing order ${DIGIT_UID}, found by uid.`);
    expect(asked).toEqual([`?uid=${DIGIT_UID}`]);
    await shot(page, 'digit-uid-chosen');

    // "Numeric id" chosen: asked as ?id= only, and there is no such id.
    await page.check('input[name="by"][value="id"]');
    asked.length = 0;
    await lookUp(page, DIGIT_UID);
    expect(await waitForStatus(page, 'not-found')).toBe(
      `Nothing found for “${DIGIT_UID}”: no order with that id.`,
    );
    expect(asked).toEqual([`?id=${DIGIT_UID}`]);

    // Back restores the order and the choice that found it.
    await page.goBack();
    await page.waitForSelector(`#status[data-state="found"]:has-text("${DIGIT_UID}")`);
    expect(await page.isChecked('input[name="by"][value="uid"]')).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the id’s order and offers the uid’s when digits name both, at phone width', async () => {
    const clash = String(ids.sample);
    const { page, problems, close } = await open(server.url, { width: 390, height: 844 });
    await lookUp(page, clash);
    expect(await waitForStatus(page, 'found')).toBe(
      `Showing order ${SAMPLE_UID}, found by id ${clash}. Another order has the uid “${clash}”.`,
    );
    expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(SAMPLE_UID);
    const other = page.locator('#lookup-other-button');
    expect(await other.textContent()).toBe(`Show the order with the uid “${clash}”`);
    const overflow = await overflowing(page, '.lookup, .lookup-by, .lookup-other, #order .card');
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.wide).toEqual([]);
    await shot(page, 'digits-name-two-orders-phone', false);

    // By keyboard: the offer is the next stop after the radios.
    await page.focus('#lookup-input');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lookup-other-button');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#status[data-state="found"]:has-text("found by uid")');
    expect(await fields(page, 'order-summary-title')).toMatchObject({
      'Order uid': clash,
      Id: String(ids.clash),
    });
    expect(new URL(page.url()).search).toBe(`?uid=${clash}`);
    expect(await page.isChecked('input[name="by"][value="uid"]')).toBe(true);
    expect(await page.isHidden('#lookup-other')).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('order-title');

    await page.goBack();
    await page.waitForSelector(`#status[data-state="found"]:has-text("${SAMPLE_UID}")`);
    expect(new URL(page.url()).search).toBe(`?id=${clash}`);
    expect(await page.isChecked('input[name="by"][value="auto"]')).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  it('asks only by uid when the service reads ?id= as a uid (SERVER_GET_ORDER_BY_ID=0)', async () => {
    const compat = createPageTestApp({ getOrderById: false });
    const compatIds = {
      sample: compat.ingest(sampleOrder(SAMPLE_UID)),
      digits: compat.ingest(sampleOrder(DIGIT_UID)),
    };
    const own = await startTestServer(compat.app);
    try {
      const { page, problems, close } = await open(own.url);
      const asked = orderRequests(page);
      expect(await page.isHidden('#lookup-by')).toBe(true);
      expect(await page.textContent('#lookup-label')).toBe('Order uid or track number');

      await lookUp(page, DIGIT_UID);
      expect(await waitForStatus(page, 'found')).toBe(`Showing order ${DIGIT_UID}, found by uid.`);
      expect((await fields(page, 'order-summary-title')).Id).toBe(String(compatIds.digits));
      expect(new URL(page.url()).search).toBe(`?uid=${DIGIT_UID}`);

      // A numeric id is just another uid here: no order has it.
      await lookUp(page, String(compatIds.sample));
      expect(await waitForStatus(page, 'not-found')).toBe(
        `Nothing found for “${compatIds.sample}”: no order with that uid or track number.`,
      );
      expect(asked).toEqual([`?uid=${DIGIT_UID}`, `?uid=${compatIds.sample}`]);
      await shot(page, 'id-lookup-off');

      // An old address with ?id= is read as the API reads it: a uid.
      await page.goto(`${own.url}/?id=${SAMPLE_UID}`);
      await waitForStatus(page, 'found');
      expect((await fields(page, 'order-summary-title'))['Order uid']).toBe(SAMPLE_UID);
      expect(asked.at(-1)).toBe(`?uid=${SAMPLE_UID}`);
      expect(problems).toEqual([]);
      expect(compat.logged).toEqual([]);
      await close();
    } finally {
      await own.close();
    }
  });

  it('lists the newest orders; clicking one shows it', async () => {
    const { page, problems, close } = await open(server.url);
    await page.waitForSelector('#recent-list a[data-uid]');
    const uids = await page.$$eval('#recent-list a[data-uid]', (links) =>
      links.map((link) => link.getAttribute('data-uid')),
    );
    // Newest first; later tests may have added more at the top.
    expect(uids.slice(-3)).toEqual([MARKUP_UID, BIG_UID, SAMPLE_UID]);
    expect(await page.textContent(`#recent-list a[data-uid="${BIG_UID}"]`)).toContain(
      '12,543.00 RUB',
    );

    await page.click(`#recent-list a[data-uid="${BIG_UID}"]`);
    await page.waitForSelector(`#status[data-state="found"]:has-text("${BIG_UID}")`);
    expect(new URL(page.url()).search).toBe(`?uid=${BIG_UID}`);
    expect(await page.getAttribute(`#recent-list a[data-uid="${BIG_UID}"]`, 'aria-current')).toBe(
      'true',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('order-title');
    expect(problems).toEqual([]);
    await close();
  });

  it('keeps the counters live, and stops polling while the tab is hidden', async () => {
    const { page, problems, close } = await open(server.url);
    await page.waitForSelector('#live-state[data-state="live"]');
    const storedBefore = Number((await page.textContent('#stat-stored'))?.replace(/,/g, ''));
    const deadBefore = Number(await page.textContent('#stat-dead'));
    expect(storedBefore).toBeGreaterThanOrEqual(3);

    const fresh = Array.from({ length: 5 }, (_, i) => `live-${i}-${Date.now()}`);
    for (const uid of fresh) fixture.ingest(sampleOrder(uid));
    fixture.deadLetter();
    await page.waitForFunction(
      (expected) => document.getElementById('stat-stored')?.textContent === expected,
      String(storedBefore + 5),
      { timeout: 8_000 },
    );
    expect(await page.textContent('#stat-dead')).toBe(String(deadBefore + 1));
    await page.waitForFunction(() =>
      /\/s$/.test(document.getElementById('stat-rate')?.textContent ?? ''),
    );
    await page.waitForSelector(`#recent-list li:first-child a[data-uid="${fresh.at(-1)}"]`);

    // Hidden tab: no /stats requests; visible again: one at once.
    const statsRequests: number[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/stats') statsRequests.push(Date.now());
    });
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(await page.textContent('#live-state')).toBe('paused');
    const hiddenAt = Date.now();
    await page.waitForTimeout(4_500);
    expect(statsRequests.filter((at) => at > hiddenAt + 200)).toEqual([]);
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForSelector('#live-state[data-state="live"]', { timeout: 1_500 });
    expect(statsRequests.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows markup and script in order fields as text and runs none of it', async () => {
    const { page, problems, close } = await open(server.url);
    await lookUp(page, MARKUP_UID);
    await waitForStatus(page, 'found');
    await page.getByRole('button', { name: 'Show raw JSON' }).click();

    expect(await fields(page, 'order-summary-title')).toMatchObject({
      Customer: MARKUP_SCRIPT,
      'Delivery service': '"><svg onload=window.__pwned=3>',
    });
    expect(await fields(page, 'order-delivery-title')).toMatchObject({
      Name: MARKUP_IMG,
      Address: MARKUP_SCRIPT,
      Region: '&lt;b&gt;',
    });
    expect((await fields(page, 'order-payment-title')).Provider).toBe(
      'javascript:window.__pwned=4',
    );
    expect(await itemRows(page)).toMatchObject([
      { Name: MARKUP_IMG, Brand: MARKUP_SCRIPT, Size: '</td><td>' },
    ]);
    expect(await page.textContent('#raw-json')).toContain(MARKUP_IMG);

    // Nothing became an element, nothing ran, not even later (onerror of a broken image is async).
    expect(
      await page
        .locator('#order img, #order script, #order svg, #order a:not(#customer-orders)')
        .count(),
    ).toBe(0);
    // The customer id (markup) travels only in the customer's-orders link's address, encoded.
    expect(await page.getAttribute('#customer-orders', 'href')).toBe(
      `/?${new URLSearchParams({ customer_id: MARKUP_SCRIPT })}`,
    );
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();

    await shot(page, 'markup-order');
    expect(problems).toEqual([]);

    // The CSP is in force in the browser: Trusted Types refuse any string-to-HTML assignment.
    const sink = await page.evaluate(() => {
      try {
        document.body.innerHTML = '<b>x</b>';
        return 'assigned';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(sink).toBe('TypeError');
    await close();
  });

  it.each([
    ['desktop', 1280, 900],
    ['phone', 390, 844],
  ])(
    'shows bidi controls and invisible characters as markers, never drawn (%s)',
    async (name, width, height) => {
      const { page, problems, close } = await open(server.url, { width, height });
      await lookUp(page, HIDDEN_UID);
      await waitForStatus(page, 'found');
      const summary = 'section[aria-labelledby="order-summary-title"]';
      const delivery = 'section[aria-labelledby="order-delivery-title"]';
      const marked = 'evil⟨U+202E⟩gnp.exe';

      // What a person sees: the override is a marker, and every character is drawn where it stands
      // (left to right in reading order), so the name cannot pass for `evilexe.png`.
      for (const selector of [
        fieldValue(summary, 'Customer'),
        fieldValue(delivery, 'Name'),
        'table.items tbody td[data-label="Name"]',
      ]) {
        expect(await drawnText(page, selector), selector).toEqual({ inner: marked, drawn: marked });
      }
      expect(await drawnText(page, fieldValue(delivery, 'Address'))).toEqual({
        inner: 'Ploshad⟨U+2067⟩ Mira 15',
        drawn: 'Ploshad⟨U+2067⟩ Mira 15',
      });
      expect(await innerTexts(page, summary)).toMatchObject({
        'Track number': 'WB⟨U+200D⟩TRACK', // a joiner in an identifier is a difference
      });
      expect(await innerTexts(page, delivery)).toMatchObject({
        City: 'Kiryat 👩\u200D💻', // in prose it joins an emoji, drawn as is
        Region: '⟨U+200F⟩region⟨U+202C⟩',
      });
      expect(
        await innerTexts(page, 'section[aria-labelledby="order-payment-title"]'),
      ).toMatchObject({ Bank: 'בנק לאומי', Provider: 'wb⟨U+0007⟩pay' });
      expect((await itemRows(page))[0]).toMatchObject({ Name: marked, Brand: 'Acme⟨U+200B⟩' });

      // No bidi control or invisible character reaches the page's text, the raw JSON included.
      await page.getByRole('button', { name: 'Show raw JSON' }).click();
      const shownText = await rendered(page.locator('#order'));
      const unmarked = [...shownText].filter(
        (char) => /\p{Bidi_Control}/u.test(char) || char === '\u200B' || char === '\u0007',
      );
      expect(unmarked).toEqual([]);
      // The marker stands out and names the character; the Hebrew field keeps its own direction.
      const marker = await page.$eval(`${fieldValue(summary, 'Customer')} .hidden-char`, (el) => ({
        title: el.getAttribute('title'),
        border: getComputedStyle(el).borderStyle,
      }));
      expect(marker).toEqual({ title: 'U+202E RIGHT-TO-LEFT OVERRIDE', border: 'dashed' });
      const direction = (label: string) =>
        page.$eval(
          `${fieldValue('section[aria-labelledby="order-payment-title"]', label)} bdi`,
          (el) => getComputedStyle(el).direction,
        );
      expect([await direction('Bank'), await direction('Provider')]).toEqual(['rtl', 'ltr']);

      // The raw JSON writes each hidden character as its escape: the same JSON, nothing reordered,
      // and that is what the copy button copies.
      const raw = await rendered(page.locator('#raw-json'));
      expect(raw).toContain('"customer_id": "evil\\u202egnp.exe"');
      expect(raw).toContain('"address": "Ploshad\\u2067 Mira 15"');
      expect(raw).toContain('"city": "Kiryat 👩\\u200d💻"');
      expect(JSON.parse(raw)).toEqual(hiddenCharsOrder(HIDDEN_UID));
      expect(await drawnText(page, '#raw-json .json-string:has-text("evil") >> nth=0')).toEqual({
        inner: '"evil\\u202egnp.exe"',
        drawn: '"evil\\u202egnp.exe"',
      });
      await page.getByRole('button', { name: 'Copy JSON' }).click();
      await page.waitForSelector('.copy-state:text("Copied.")');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toBe(raw);
      expect(copied).not.toContain('\u202E');

      if (name === 'phone') {
        const overflow = await overflowing(page, '#order .card');
        expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
        expect(overflow.wide).toEqual([]);
      }
      await shot(page, `hidden-chars-${name}`);
      expect(problems).toEqual([]);
      await close();
    },
  );

  it('fits a phone-width screen without horizontal scrolling', async () => {
    const { page, problems, close } = await open(server.url, {
      width: 390,
      height: 844,
      path: `/?uid=${BIG_UID}`,
    });
    await waitForStatus(page, 'found');
    await page.waitForSelector('#recent-list a[data-uid]');
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll('#order .card, .top, .lookup, .lookup-by, .recent')]
        .filter(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
        )
        .map((el) => el.className),
    }));
    expect(overflow.client).toBe(390);
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.wide).toEqual([]);
    // Items become labelled cards rather than a table wider than the screen.
    expect(
      await page.$eval('table.items thead', (el) => el.getBoundingClientRect().width),
    ).toBeLessThanOrEqual(1);
    await shot(page, 'order-phone-screen', false);
    await page.locator('section.order-items').scrollIntoViewIfNeeded();
    await shot(page, 'order-phone-items', false);
    await shot(page, 'order-phone');
    expect(problems).toEqual([]);
    await close();
  });

  it('works by keyboard alone, with a visible focus', async () => {
    const { page, problems, close } = await open(server.url);
    let presses = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'lookup-input') {
      expect(++presses, 'Tab presses to reach the lookup box').toBeLessThanOrEqual(3);
      await page.keyboard.press('Tab');
    }
    expect(await page.$eval('#lookup-input', (el) => getComputedStyle(el).outlineStyle)).toBe(
      'solid',
    );
    await page.keyboard.type(SAMPLE_UID);
    await page.keyboard.press('Enter');
    await waitForStatus(page, 'found');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lookup-input');

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Look up');

    // Then the "Look up by" radios: one Tab stop, arrow keys choose, the hint follows.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('value'))).toBe('auto');
    await page.keyboard.press('ArrowRight');
    expect(await page.isChecked('input[name="by"][value="uid"]')).toBe(true);
    expect(await page.textContent('#lookup-hint')).toContain('even when it is all digits');

    // On to the raw JSON toggle by Tab, open it with Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Show raw JSON')
        break;
    }
    await page.keyboard.press('Enter');
    expect(await page.isVisible('#raw-json')).toBe(true);
    await shot(page, 'keyboard');
    expect(problems).toEqual([]);
    await close();
  });

  it('tells the user when the server cannot be reached', async () => {
    const own = await startTestServer(fixture.app);
    const { page, problems, close } = await open(own.url);
    await page.waitForSelector('#live-state[data-state="live"]');
    await own.close();

    await lookUp(page, SAMPLE_UID);
    expect(await waitForStatus(page, 'unreachable')).toContain('cannot be reached');
    await page.waitForSelector('#live-state[data-state="offline"]', { timeout: 5_000 });
    await shot(page, 'unreachable');
    expect(problems).toEqual([]);
    await close();
  });
});
