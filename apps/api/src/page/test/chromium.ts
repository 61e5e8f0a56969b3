import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Debian's chromium, driven by playwright-core (Playwright's own browser download cannot work
 * here). Missing browser is a failure, not a skip: the page must be tested in a real browser.
 * Playwright gives each launch a fresh temporary profile (--user-data-dir) and removes it on close.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the page's browser tests need Debian's chromium. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (as root).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
