import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './test/chromium.ts';
import {
  ADMIN_SECRET,
  createDeadLettersTestApp,
  type DeadLettersTestApp,
  FILLER,
  LETTER,
} from './test/dead-letters-app.ts';
import { startTestServer, type TestServer } from './test/http-server.ts';
import { MARKUP_IMG } from './test/orders.ts';
import { createPageTestApp } from './test/page-app.ts';

// The "Dead letters" view in a real browser (Debian's chromium via playwright-core) against the
// real app over HTTP: admin API on (a fake ledger and redrive service) and off.

// Callbacks given to page.evaluate() run inside chromium; the API's tsconfig has no DOM lib.
type BrowserElement = {
  id: string;
  tagName: string;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number };
};
declare const document: {
  activeElement: BrowserElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
};
declare const window: { __pwned?: unknown };
declare const sessionStorage: { length: number; getItem(key: string): string | null };
declare const localStorage: { length: number };

const ARTIFACTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const TOTAL = FILLER + Object.keys(LETTER).length;

let browser: Browser;
let on: TestServer;
let off: TestServer;
let fixture: DeadLettersTestApp;
let offLogged: string[];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  fixture = createDeadLettersTestApp();
  on = await startTestServer(fixture.app);
  const plain = createPageTestApp();
  offLogged = plain.logged;
  off = await startTestServer(plain.app);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await on?.close();
  await off?.close();
  expect(fixture?.logged).toEqual([]);
  expect(offLogged).toEqual([]);
});

type Opened = { page: Page; problems: string[]; urls: string[]; close(): Promise<void> };

/** A fresh context; `problems`: script errors, dialogs, CSP violations; `urls`: every request. */
async function open(
  base: string,
  options: { width?: number; height?: number; path?: string } = {},
): Promise<Opened> {
  const context = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const urls: string[] = [];
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
  page.on('request', (request) => urls.push(request.url()));
  await page.goto(`${base}${options.path ?? '/#dead-letters'}`);
  return { page, problems, urls, close: () => context.close() };
}

async function state(page: Page, kind: string): Promise<string> {
  await page.waitForSelector(`#dl-state[data-state="${kind}"]`, { timeout: 10_000 });
  return (await page.textContent('#dl-state')) ?? '';
}

async function signIn(page: Page, secret: string = ADMIN_SECRET): Promise<void> {
  await page.waitForSelector('#dl-token-input', { state: 'visible' });
  await page.fill('#dl-token-input', secret);
  await page.click('#dl-token-form button[type="submit"]');
}

async function listIds(page: Page): Promise<number[]> {
  return page.$$eval('#dl-items button[data-id]', (buttons) =>
    buttons.map((b) => Number(b.getAttribute('data-id'))),
  );
}

/** Signs in and opens one letter by its entry in the list (finding it by its uid filter). */
async function openLetter(page: Page, id: number): Promise<void> {
  await page.goto(`${page.url().split('#')[0]}#dead-letters/${id}`);
  await page.waitForSelector(`#dl-letter-title:text-is("Dead letter #${id}")`);
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

describe('the dead-letters view in chromium', { timeout: 45_000 }, () => {
  it('says the admin API is not enabled when the server has no tokens (404)', async () => {
    const { page, problems, close } = await open(off.url);
    expect(await state(page, 'not-found')).toContain('admin API is not enabled');
    expect(await page.isHidden('#dl-token-form')).toBe(true);
    expect(await page.isHidden('#dl-content')).toBe(true);
    expect(await page.isHidden('#orders-view')).toBe(true);
    await shot(page, 'dead-letters-off');
    expect(problems).toEqual([]);
    await close();
  });

  it('asks for the token once, refuses a wrong one and asks again, keeps it per tab only', async () => {
    const { page, problems, urls, close } = await open(on.url);
    expect(await state(page, 'idle')).toContain('Enter an admin token');
    await signIn(page, 'wrong-token-0123456789');
    expect(await state(page, 'bad-input')).toContain('The token was refused');
    expect(await page.isVisible('#dl-token-input')).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await shot(page, 'dead-letters-wrong-token');

    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    expect(await page.isHidden('#dl-token-form')).toBe(true);
    // A reload in the same tab does not ask again; nothing went to localStorage or an address.
    await page.reload();
    await page.waitForSelector('#dl-items button[data-id]');
    expect(await page.isHidden('#dl-token-form')).toBe(true);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(urls.filter((url) => url.includes(ADMIN_SECRET))).toEqual([]);

    // Forgetting it asks again.
    await page.click('#dl-forget');
    expect(await state(page, 'idle')).toContain('Token forgotten');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows the summary by reason, filters, and pages through every letter once', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    expect(await page.textContent('.dl-total')).toBe(`Total: ${TOTAL}`);
    const notJson = Number(
      await page.textContent('.dl-summary-table tr:has([data-reason="not_json"]) td'),
    );
    expect(notJson).toBe(Math.floor(FILLER / 3) + 2);

    // Every page by "Older", then back by "Newer".
    const seen: number[] = [];
    for (let page_ = 1; ; page_++) {
      expect(await page.textContent('#dl-page')).toBe(`Page ${page_}`);
      seen.push(...(await listIds(page)));
      if (await page.isDisabled('#dl-older')) break;
      const before = (await listIds(page))[0];
      await page.click('#dl-older');
      await page.waitForFunction(
        (first) =>
          [...document.querySelectorAll(`#dl-items button[data-id="${first}"]`)].length === 0,
        before,
      );
    }
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    await page.click('#dl-newer');
    await page.waitForSelector('#dl-page:text-is("Page 2")');

    // A reason from the summary filters the list (and the first page again).
    await page.click('.dl-summary-table button[data-reason="not_json"]');
    await page.waitForSelector('#dl-page:text-is("Page 1")');
    await page.waitForFunction(
      (n) => [...document.querySelectorAll('#dl-items button[data-id]')].length === n,
      Math.min(notJson, 20),
    );
    expect(await page.inputValue('select[name="reason"]')).toBe('not_json');
    // The uid filter, then none matching.
    await page.selectOption('select[name="reason"]', '');
    await page.fill('input[name="uid"]', 'fixable-order-1');
    await page.click('#dl-filter button[type="submit"]');
    await page.waitForFunction(
      () => [...document.querySelectorAll('#dl-items button[data-id]')].length === 1,
    );
    expect(await listIds(page)).toEqual([LETTER.fixable]);
    // A problem code; then stored since a time (read in the browser's zone, UTC here).
    await page.fill('input[name="uid"]', '');
    await page.selectOption('select[name="problem"]', 'forbidden_key');
    await page.click('#dl-filter button[type="submit"]');
    await page.waitForFunction(
      () => [...document.querySelectorAll('#dl-items button[data-id]')].length === 1,
    );
    expect(await listIds(page)).toEqual([LETTER.markupOrder]);
    await page.selectOption('select[name="problem"]', '');
    await page.fill('input[name="since"]', '2026-12-02T10:03:21');
    await page.click('#dl-filter button[type="submit"]');
    await page.waitForFunction(
      () => [...document.querySelectorAll('#dl-items button[data-id]')].length === 4,
    );
    expect(await listIds(page)).toEqual([
      LETTER.fixable,
      LETTER.bidi,
      LETTER.binary,
      LETTER.markupOrder,
    ]);
    await page.fill('input[name="since"]', '');
    await page.fill('input[name="uid"]', 'nobody');
    await page.click('#dl-filter button[type="submit"]');
    await page.waitForSelector('#dl-list-state:text-is("No dead letters match.")');
    await shot(page, 'dead-letters-list');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows markup in a letter as text and runs none of it', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    await openLetter(page, LETTER.markup);
    expect(await page.textContent('.dl-raw')).toBe(MARKUP_IMG);
    expect(await page.textContent('#dl-letter .dl-problems')).toContain(MARKUP_IMG);
    // the place the text stopped being JSON is marked: its first character
    expect(await page.textContent('#dl-letter mark.problem-mark')).toBe('<');

    await openLetter(page, LETTER.markupOrder);
    // the bad email marked exactly at its value; the unknown key at its object
    expect(await page.textContent('mark[data-problems~="1"]')).toBe('"not-an-email"');
    expect(await page.textContent('#dl-letter .dl-problems li:nth-child(2) a')).toContain(
      'not in the value',
    );
    expect(await page.textContent('#dl-letter .dl-problems')).toContain(`<b>${MARKUP_IMG}</b>`);
    await page.click('#dl-letter .dl-problems li:first-child a');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MARK');
    expect(new URL(page.url()).hash).toBe(`#dead-letters/${LETTER.markupOrder}`);

    expect(await page.locator('#dl-view img, #dl-view script, #dl-view svg').count()).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    await shot(page, 'dead-letters-markup');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows a value that is not UTF-8 as bytes, with a note', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    await openLetter(page, LETTER.binary);
    expect(await page.textContent('.dl-binary-note')).toContain('not valid UTF-8');
    expect(await page.textContent('.dl-hex')).toBe(
      `00000000  ff fe 7b 3c 69 6d 67 00 c3 28${' '.repeat(18)}  |..{<img..(|`,
    );
    expect(await page.textContent('.dl-base64')).toBe('//57PGltZwDDKA==');
    expect(await page.textContent('.field:has(dt:text-is("Key")) dd')).toBe(
      'not UTF-8, base64 /wA=',
    );
    // not text, so not editable
    expect(await page.isDisabled('#dl-edit-text')).toBe(true);
    expect(problems).toEqual([]);
    await close();
  });

  it('draws bidi controls in a letter as markers, at desktop and phone width', async () => {
    for (const width of [1280, 390]) {
      const { page, problems, close } = await open(on.url, { width, height: 844 });
      await signIn(page);
      await page.waitForSelector('#dl-items button[data-id]');
      await openLetter(page, LETTER.bidi);
      const drawn = await page.locator('#dl-letter').textContent();
      expect(drawn).not.toContain('\u202E');
      expect(await page.textContent('.dl-raw')).toContain('"evil⟨U+202E⟩gnp.exe"');
      expect(await page.textContent('.field:has(dt:text-is("Order uid")) dd')).toBe(
        'bidi-evil⟨U+202E⟩gnp.exe',
      );
      expect(await page.textContent('#dl-letter .dl-problems')).toContain('evil⟨U+202E⟩gnp.exe');
      const overflow = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      await shot(page, `dead-letters-bidi-${width}`);
      expect(problems).toEqual([]);
      await close();
    }
  });

  it('dry-runs and redrives a letter; a second redrive is refused until asked again', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    await openLetter(page, LETTER.markup);
    fixture.redrive.calls.length = 0;

    await page.click('#dl-dry');
    await page.waitForSelector('#dl-action-state[data-state="found"]');
    expect(await page.textContent('#dl-action-state')).toMatch(
      /^Dry run \(run \d+\): 1 of 1 would be sent\. Nothing was sent\.$/,
    );
    await page.click('#dl-send');
    await page.waitForSelector('#dl-action-state[data-state="found"]:has-text("done")');
    expect(await page.textContent('#dl-action-state')).toContain('sent 1, skipped 0, failed 0');
    await page.click('#dl-send');
    await page.waitForSelector('#dl-action-state[data-state="bad-input"]');
    expect(await page.textContent('#dl-action-state')).toContain('redriven already');
    await page.click('#dl-again');
    await page.waitForSelector('#dl-action-state[data-state="found"]:has-text("done")');
    expect(
      fixture.redrive.calls.map((c) =>
        c.call === 'start' ? [c.selection, c.options.dryRun, c.options.again, c.by] : c,
      ),
    ).toEqual([
      [{ kind: 'ids', ids: [LETTER.markup] }, true, false, 'ops'],
      [{ kind: 'ids', ids: [LETTER.markup] }, false, false, 'ops'],
      [{ kind: 'ids', ids: [LETTER.markup] }, false, false, 'ops'],
      [{ kind: 'ids', ids: [LETTER.markup] }, false, true, 'ops'],
    ]);
    expect(problems).toEqual([]);
    await close();
  });

  it('edits a letter: validation shows the 422 problems in the text before anything is sent', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    await openLetter(page, LETTER.fixable);
    fixture.redrive.calls.length = 0;
    await page.click('#dl-edit-open');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('dl-edit-text');
    const original = await page.inputValue('#dl-edit-text');
    expect(original).toContain('"price":-453');
    expect(await page.isDisabled('#dl-edit-send')).toBe(true);

    // Not JSON: said in the page, nothing asked of the server.
    await page.fill('#dl-edit-text', `${original.slice(0, -1)},`);
    await page.click('#dl-validate');
    await page.waitForSelector('#dl-edit-state[data-state="bad-input"]:has-text("Not valid JSON")');
    expect(fixture.redrive.calls).toEqual([]);

    // As it was: the server's 422, its problem marked at its path in the edited text.
    await page.fill('#dl-edit-text', original);
    await page.click('#dl-validate');
    await page.waitForSelector('#dl-edit-state[data-state="bad-input"]:has-text("does not pass")');
    expect(await page.textContent('#dl-edit-result .dl-problems')).toContain('items[0].price');
    expect(await page.textContent('#dl-edit-result mark.problem-mark')).toBe('-453');
    expect(await page.isDisabled('#dl-edit-send')).toBe(true);
    await page.click('#dl-edit-result .dl-problems a');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MARK');
    expect(new URL(page.url()).hash).toBe(`#dead-letters/${LETTER.fixable}`);
    await shot(page, 'dead-letters-edit-422');

    // Fixed: it passes, and only then can it be sent; an edit after that needs validating again.
    const fixed = original.replace('"price":-453', '"price":453');
    await page.fill('#dl-edit-text', fixed);
    await page.click('#dl-validate');
    await page.waitForSelector('#dl-edit-state[data-state="found"]:has-text("passes")');
    await page.type('#dl-edit-text', ' ');
    expect(await page.isDisabled('#dl-edit-send')).toBe(true);
    await page.click('#dl-validate');
    await page.waitForSelector('#dl-edit-state[data-state="found"]:has-text("passes")');
    await page.click('#dl-edit-send');
    await page.waitForSelector('#dl-edit-state[data-state="found"]:has-text("done")');

    const edits = fixture.redrive.calls.map((c) =>
      c.call === 'edit' ? [c.letter, c.dryRun, JSON.parse(c.value)] : c,
    );
    expect(edits).toEqual([
      [LETTER.fixable, true, JSON.parse(original)],
      [LETTER.fixable, true, JSON.parse(fixed)],
      [LETTER.fixable, true, JSON.parse(fixed)],
      [LETTER.fixable, false, JSON.parse(fixed)],
    ]);
    expect(problems).toEqual([]);
    await close();
  });

  it('dry-runs every letter the filter matches before offering to redrive them', async () => {
    const { page, problems, close } = await open(on.url);
    await signIn(page);
    await page.waitForSelector('#dl-items button[data-id]');
    await page.selectOption('select[name="reason"]', 'not_json');
    await page.click('#dl-filter button[type="submit"]');
    await page.waitForSelector('#dl-page:text-is("Page 1")');
    fixture.redrive.calls.length = 0;
    expect(await page.isHidden('#dl-bulk-send')).toBe(true);
    await page.click('#dl-bulk-dry');
    await page.waitForSelector('#dl-bulk-send:visible');
    expect(await page.textContent('#dl-bulk-state')).toContain('Nothing was sent');
    await page.click('#dl-bulk-send');
    await page.waitForSelector('#dl-bulk-state[data-state="found"]:has-text("done")');
    expect(
      fixture.redrive.calls.map((c) => (c.call === 'start' ? [c.selection, c.options.dryRun] : c)),
    ).toEqual([
      [{ kind: 'filter', filter: { reason: 'not_json' } }, true],
      [{ kind: 'filter', filter: { reason: 'not_json' } }, false],
    ]);
    expect(problems).toEqual([]);
    await close();
  });

  it('works by keyboard alone and fits a phone-width screen', async () => {
    const { page, problems, close } = await open(on.url, { width: 390, height: 844, path: '/' });
    let presses = 0;
    while ((await page.evaluate(() => document.activeElement?.id)) !== 'nav-dead-letters') {
      expect(++presses).toBeLessThanOrEqual(3);
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dl-token-input:focus');
    await page.keyboard.type(ADMIN_SECRET);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dl-items button[data-id]');
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.getAttribute('data-id'))) break;
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('#dl-letter-title:focus');
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      wide: [...document.querySelectorAll('#dl-view .card, #dl-view pre, .dl-item')]
        .filter(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
        )
        .map((el) => el.id || el.tagName),
    }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    expect(overflow.wide).toEqual([]);
    await shot(page, 'dead-letters-phone');
    expect(problems).toEqual([]);
    await close();
  });
});
