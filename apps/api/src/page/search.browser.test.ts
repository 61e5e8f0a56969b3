import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './test/chromium.ts';
import { startTestServer, type TestServer } from './test/http-server.ts';
import { MARKUP_IMG, MARKUP_SCRIPT, markupOrder, sampleOrder } from './test/orders.ts';
import { createPageTestApp, type PageTestApp } from './test/page-app.ts';

// The page's searches in chromium (issue 16): a track number that names several orders, paged with
// the API's cursor; an order's "Customer's orders" link; nothing found, a refused value, markup and
// an unreachable server. The real createApp serves them; only PostgreSQL's search is a fake
// (createPageTestApp), matched and paged as ingest's SQL does.

// Browser globals the page.evaluate() callbacks touch (the API's tsconfig has no DOM lib).
declare const document: {
  activeElement: { id: string; textContent: string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<{
    className: string;
    getBoundingClientRect(): { right: number };
  }>;
};
declare const window: { __pwned?: unknown };

const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const TRACK = 'TRACK-MANY-1';
/** One more than two pages of the page's 20 would be one page: 23 is a page and a bit. */
const TRACK_ORDERS = 23;
const CUSTOMER = 'customer-seven';
const CUSTOMER_UIDS = ['cust-order-a', 'cust-order-b', 'cust-order-c'];

let browser: Browser;
let server: TestServer;
let fixture: PageTestApp;

/** Day n of 2024-05 at noon UTC: distinct dates, so "newest first" is a known order. */
const day = (n: number) => `2024-05-${String(n).padStart(2, '0')}T12:00:00Z`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fixture = createPageTestApp();
  for (let n = 1; n <= TRACK_ORDERS; n++) {
    fixture.ingest(
      sampleOrder(`track-order-${String(n).padStart(2, '0')}`, {
        track_number: TRACK,
        date_created: day(n),
      }),
    );
  }
  CUSTOMER_UIDS.forEach((uid, i) => {
    fixture.ingest(
      sampleOrder(uid, {
        customer_id: CUSTOMER,
        track_number: `CUST-${i}`,
        date_created: day(i + 1),
      }),
    );
  });
  fixture.ingest(markupOrder('markup-order-0001'));
  server = await startTestServer(fixture.app);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  expect(fixture?.logged).toEqual([]);
});

type Opened = { page: Page; problems: string[]; close(): Promise<void> };

/** A fresh context; `problems` collects script errors, dialogs and CSP violations. */
async function open(base: string, width: number, path = '/'): Promise<Opened> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width, height: width < 600 ? 844 : 900 },
  });
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
  await page.goto(`${base}${path}`);
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

/** The uids of the result list's entries, in order. */
function resultUids(page: Page): Promise<string[]> {
  return page.$$eval('#results-list a[data-uid]', (links) =>
    links.map((link) => link.getAttribute('data-uid') ?? ''),
  );
}

/** The `/orders/search` requests' query strings, in the order they were sent. */
function searchRequests(page: Page): URLSearchParams[] {
  const asked: URLSearchParams[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/orders/search') asked.push(url.searchParams);
  });
  return asked;
}

/** Whether the page scrolls sideways, and which of `selector` stick out of the viewport. */
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

const trackUid = (n: number) => `track-order-${String(n).padStart(2, '0')}`;
/** Newest first: 23, 22, … 1. */
const newestTrack = Array.from({ length: TRACK_ORDERS }, (_, i) => trackUid(TRACK_ORDERS - i));

describe('the page’s searches in chromium', { timeout: 45_000 }, () => {
  for (const width of [1280, 390]) {
    it(`lists a track number's orders and pages them with More, at ${width} wide`, async () => {
      const { page, problems, close } = await open(server.url, width);
      const asked = searchRequests(page);
      await lookUp(page, TRACK);
      expect(await waitForStatus(page, 'list')).toBe(
        // Tried as a uid first: the page says why the track number's list is shown.
        `More than 20 orders with track number “${TRACK}”. No order has the uid “${TRACK}”.`,
      );
      expect(await page.textContent('#results-title')).toBe(`Orders with track number ${TRACK}`);
      expect(await resultUids(page)).toEqual(newestTrack.slice(0, 20));
      expect(await page.textContent('#results-state')).toBe(
        '20 orders shown, newest first: older ones follow.',
      );
      expect(await page.isHidden('#order')).toBe(true);
      // The address names the track number, so a reload or a shared link shows the list.
      expect(new URL(page.url()).search).toBe(`?track_number=${TRACK}`);

      const more = page.locator('#results-more');
      await more.click();
      await page.waitForSelector(`#results-list a[data-uid="${trackUid(1)}"]`);
      expect(await resultUids(page)).toEqual(newestTrack);
      expect(await page.textContent('#results-state')).toBe(
        '23 orders shown, newest first: all of them.',
      );
      expect(await more.isHidden()).toBe(true);
      // The second page was asked with the first page's cursor.
      expect(asked.at(-1)?.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(asked.at(-1)?.get('track_number')).toBe(TRACK);

      const overflow = await overflowing(page, '.lookup, .results, .results-list a');
      expect(overflow.client).toBe(width);
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      expect(overflow.wide).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}search-track-${width}.png`, fullPage: true });

      // An entry opens its order in place, found by uid; back shows the list again.
      await page.click(`#results-list a[data-uid="${trackUid(5)}"]`);
      expect(await waitForStatus(page, 'found')).toBe(
        `Showing order ${trackUid(5)}, found by uid.`,
      );
      expect(await page.isHidden('#results')).toBe(true);
      await page.goBack();
      await waitForStatus(page, 'list');
      expect(await resultUids(page)).toEqual(newestTrack.slice(0, 20));
      expect(problems).toEqual([]);
      await close();
    });
  }

  it('opens a customer’s orders from an order, the one it came from marked', async () => {
    const { page, problems, close } = await open(server.url, 1280, `/?uid=${CUSTOMER_UIDS[1]}`);
    await waitForStatus(page, 'found');
    const link = page.locator('#customer-orders');
    expect(await link.textContent()).toBe('Customer’s orders');
    await link.click();
    expect(await waitForStatus(page, 'list')).toBe(`3 orders of customer “${CUSTOMER}”.`);
    expect(new URL(page.url()).search).toBe(`?customer_id=${CUSTOMER}`);
    expect(await resultUids(page)).toEqual(CUSTOMER_UIDS.toReversed());
    expect(await page.textContent('#results-state')).toBe(
      '3 orders shown, newest first: all of them.',
    );
    expect(await page.isHidden('#results-more')).toBe(true);
    const current = page.locator('#results-list a[aria-current="true"]');
    expect(await current.getAttribute('data-uid')).toBe(CUSTOMER_UIDS[1]);
    expect(await current.locator('.results-this').textContent()).toBe('this order');
    // Focus moves to the list's title, for a keyboard or screen-reader user.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('results-title');
    await page.screenshot({ path: `${ARTIFACTS}search-customer.png`, fullPage: true });
    expect(problems).toEqual([]);
    await close();
  });

  it('at phone width, a customer’s orders fit without sideways scrolling', async () => {
    const { page, problems, close } = await open(server.url, 390, `/?uid=${CUSTOMER_UIDS[0]}`);
    await waitForStatus(page, 'found');
    await page.click('#customer-orders');
    await waitForStatus(page, 'list');
    expect(await resultUids(page)).toEqual(CUSTOMER_UIDS.toReversed());
    const overflow = await overflowing(page, '.lookup, .results, .results-list a, .recent');
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.wide).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}search-customer-390.png`, fullPage: true });
    expect(problems).toEqual([]);
    await close();
  });

  it('says when a value matches nothing, and shows the API’s reason for a refused one', async () => {
    const { page, problems, close } = await open(server.url, 1280);
    await lookUp(page, 'NO-SUCH-TRACK');
    expect(await waitForStatus(page, 'not-found')).toBe(
      'Nothing found for “NO-SUCH-TRACK”: no order with that uid or track number.',
    );
    expect(await page.isHidden('#results')).toBe(true);
    expect(await page.isHidden('#order')).toBe(true);

    await page.check('input[name="by"][value="track"]');
    await lookUp(page, 'NO-SUCH-TRACK');
    expect(await waitForStatus(page, 'not-found')).toBe(
      'Nothing found for “NO-SUCH-TRACK”: no order with that track number.',
    );
    // Longer than any track number: the API's 400 names the rule.
    await lookUp(page, 'T'.repeat(65));
    expect(await waitForStatus(page, 'bad-input')).toBe(
      'Not a valid track number: track_number must be 1 to 64 characters without control characters',
    );
    expect(problems).toEqual([]);
    await close();
  });

  it('shows markup as text: typed, and in a customer id and the list it opens', async () => {
    const { page, problems, close } = await open(server.url, 1280);
    await lookUp(page, MARKUP_IMG);
    expect(await waitForStatus(page, 'not-found')).toMatch(
      /^Nothing found for “<img src=x onerror=window.__pwned=1>”: no order with that track number \(not a valid order uid either: /,
    );

    await page.goto(`${server.url}/?uid=markup-order-0001`);
    await waitForStatus(page, 'found');
    await page.click('#customer-orders');
    expect(await waitForStatus(page, 'list')).toBe(`1 order of customer “${MARKUP_SCRIPT}”.`);
    expect(await page.textContent('#results-title')).toBe(`Orders of customer ${MARKUP_SCRIPT}`);
    expect(await page.title()).toBe(`Customer ${MARKUP_SCRIPT} · Orders`);
    expect(await resultUids(page)).toEqual(['markup-order-0001']);
    expect(await page.locator('#results script, #results img, #lookup script').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await close();
  });

  it('says so when the server cannot be reached, for a search and for More', async () => {
    const own = await startTestServer(fixture.app);
    const { page, problems, close } = await open(own.url, 390);
    await lookUp(page, TRACK);
    await waitForStatus(page, 'list');
    await own.close();

    await page.click('#results-more');
    await page.waitForSelector('#results-state:has-text("Could not load more")');
    expect(await page.textContent('#results-state')).toBe(
      'Could not load more: The server cannot be reached.',
    );
    // The first page stays, and More can be tried again.
    expect((await resultUids(page)).length).toBe(20);
    expect(await page.isEnabled('#results-more')).toBe(true);

    await page.check('input[name="by"][value="track"]');
    await lookUp(page, TRACK);
    expect(await waitForStatus(page, 'unreachable')).toContain('cannot be reached');
    expect(await page.isHidden('#results')).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });
});
