import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, driven by playwright-core: for the browser tests, the
 * dashboard's screenshots and its benchmark. Never a browser downloaded by a test tool; the
 * flags keep it from reaching for the network (the machine has none).
 */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Signs in through the form, as a person does, and waits for the page's navigation. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Pages' }).waitFor();
}

/** Puts a token in the tab's session before the app starts: a reload of a signed-in tab. */
export async function withSession(page: Page, token: string): Promise<void> {
  await page.addInitScript(`sessionStorage.setItem('stargate.token', ${JSON.stringify(token)});`);
}

/**
 * Waits until the page has drawn what it loads: no element marked `aria-busy="true"` and no
 * "Loading…" text in the main region, twice in a row 250 ms apart. (Not Playwright's
 * `networkidle`: the live stream keeps a request open for as long as the page is.)
 */
export async function settled(page: Page, timeout = 30_000): Promise<void> {
  const busy = `(() => {
    const main = document.querySelector('main');
    if (!main) return true;
    return main.querySelector('[aria-busy="true"]') !== null || /Loading…/.test(main.textContent ?? '');
  })()`;
  const deadline = Date.now() + timeout;
  let quiet = 0;
  while (quiet < 2) {
    if (Date.now() > deadline) throw new Error(`the page was still loading after ${timeout} ms`);
    await page.waitForTimeout(250);
    quiet = (await page.evaluate(busy)) ? 0 : quiet + 1;
  }
}
