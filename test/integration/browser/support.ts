import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { linkIn } from '../../../tools/mail-catcher.js';
import { startLiveWeb, type LiveWeb } from '../web/support.js';

// Real-browser tests: Debian's Chromium driven by playwright-core, against the dashboard listening
// on a real port (PUBLIC_URL points at it, so OAuth redirects come back), the in-process sandbox,
// and a real worker on the shared Temporal dev server.

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOT_DIR = path.join(repoRoot, '.test-artifacts', 'screenshots');

/** Headless Debian Chromium. Throws (never skips) when it is not installed. */
export async function launchBrowser(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}. Browser tests need Debian's chromium package: run \`apt-get install -y chromium\` (.ci/run installs it when missing).`,
    );
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** The dashboard on a real port (`url`, also `config.web.publicUrl`) with the rest of the live stack. */
export type Dashboard = LiveWeb & { url: string };

/**
 * The whole stack a person meets in a browser: sandbox, database, worker, a local SMTP server
 * catching the email (`mail`), and the dashboard on a real port with PUBLIC_URL and SANDBOX_URL
 * pointing at the live servers (CSP allows sandbox avatars).
 */
export async function startDashboard(env: Record<string, string> = {}): Promise<Dashboard> {
  const web = await startLiveWeb({ listen: true, env });
  return { ...web, url: web.url! };
}

/** The dashboard stack and one browser tab on it, as a test in the suite sees them. */
export interface BrowserPage {
  dashboard: Dashboard;
  page: Page;
  /** What `watchPage` has collected on `page` so far; a test may empty it after checking an expected problem. */
  problems: string[];
}

/**
 * Starts Chromium and the dashboard before the suite's tests (a 1280×800 tab, 15 s default timeout,
 * watched for problems) and stops them afterwards. Call it in a `describe`; the answer is filled in
 * by its `beforeAll`, so read its fields inside tests, not while the suite is being declared.
 */
export function useBrowserPage(options: { timezoneId?: string } = {}): BrowserPage {
  const session = {} as BrowserPage;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
    session.dashboard = await startDashboard();
    const timezone = options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId };
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...timezone });
    session.page = await context.newPage();
    session.page.setDefaultTimeout(15_000);
    session.problems = watchPage(session.page).problems;
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await session.dashboard?.close();
  });
  return session;
}

/**
 * Collects what a person would not see but must not happen: CSP violations and other console
 * errors, failed requests, and subresources answered with an error status.
 */
export function watchPage(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('console', (message) => {
    const where = message.location().url;
    // The layout declares no icon, so Chromium asks for /favicon.ico and gets a 404: harmless.
    if (message.type() === 'error' && !isFavicon(where)) problems.push(`console: ${message.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document' && !isFavicon(response.url())) problems.push(`${response.status()} for ${response.url()}`);
  });
  return { problems };
}

function isFavicon(url: string | undefined): boolean {
  return url !== undefined && url !== '' && new URL(url).pathname === '/favicon.ico';
}

/** Every image on the page loaded and has pixels (none blocked by CSP or missing). */
export async function expectImagesLoaded(page: Page): Promise<void> {
  // Browser-side code as strings: this project type-checks without the DOM library.
  const broken = await page.evaluate<string[]>('Array.from(document.images).filter((image) => !image.complete || image.naturalWidth === 0).map((image) => image.src)');
  expect(broken, 'images that did not load').toEqual([]);
}

/** Nothing on the page is wider than the viewport (no sideways scrolling). */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const widths = await page.evaluate<{ content: number; viewport: number }>('({ content: document.documentElement.scrollWidth, viewport: window.innerWidth })');
  expect(widths.content, 'page wider than the viewport').toBeLessThanOrEqual(widths.viewport);
}

/** The page is clean: every image loaded, nothing overflows, and `problems` (from `watchPage`) is empty. */
export async function expectCleanPage(page: Page, problems: string[]): Promise<void> {
  await expectImagesLoaded(page);
  await expectNoHorizontalOverflow(page);
  expect(problems).toEqual([]);
}

/** The one-time message of the page just loaded (`role=status`), with its kind; fails unless there is exactly one. */
export async function flashMessage(page: Page): Promise<{ text: string; error: boolean }> {
  const message = page.locator('p.flash[role="status"]');
  expect(await message.count(), 'a flash message on this page').toBe(1);
  return { text: await visibleText(message), error: (await message.getAttribute('class'))?.includes('flash-error') ?? false };
}

/**
 * After signing up: opens the confirmation link from the caught email, as the person would from
 * their inbox, and logs in on the page it leads to. Answers the flash shown after confirming.
 */
export async function confirmAndLogIn(page: Page, dashboard: Dashboard, email: string, password: string): Promise<{ confirmed: string }> {
  const message = await dashboard.mail.waitFor((m) => m.to.includes(email) && /^Confirm/.test(m.subject));
  const link = linkIn(message, `${dashboard.url}/verify-email?token=`);
  expect((await nextPage(page, async () => void (await page.goto(link)))).pathname).toBe('/login');
  const confirmed = (await flashMessage(page)).text;
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  expect((await nextPage(page, () => page.getByRole('button', { name: 'Log in' }).click())).pathname).toBe('/connections');
  return { confirmed };
}

/** Signs up on the register form, then confirms the email and logs in (ends on /connections). */
export async function signUpInBrowser(page: Page, dashboard: Dashboard, who: { name: string; email: string; password: string; penName: string }): Promise<void> {
  await page.goto(`${dashboard.url}/register`);
  await page.getByRole('textbox', { name: 'Your name', exact: true }).fill(who.name);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: false }).and(page.locator('input[type=password]')).fill(who.password);
  await page.getByRole('textbox', { name: /^First pen name/ }).fill(who.penName);
  expect((await nextPage(page, () => page.getByRole('button', { name: 'Create account' }).click())).pathname).toBe('/login');
  await confirmAndLogIn(page, dashboard, who.email, who.password);
}

/** A computed style property of the first element the locator finds. */
export function computedStyle(locator: Locator, property: string): Promise<string> {
  type StyleWindow = { getComputedStyle(element: unknown): { getPropertyValue(name: string): string } };
  return locator.first().evaluate((element, name) => (globalThis as unknown as StyleWindow).getComputedStyle(element).getPropertyValue(name), property);
}

/** Waits until the locator is visible and answers its visible text. */
export async function visibleText(locator: Locator, timeout = 10_000): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return (await locator.first().innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * Full-page screenshots into .test-artifacts/screenshots/<folder>/<name>.png (git-ignored). The
 * folder is emptied first, so what is there always comes from the latest run.
 */
export function screenshotsIn(folder: string): (page: Page, name: string) => Promise<string> {
  const dir = path.join(SCREENSHOT_DIR, folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };
}

/** Runs `action` (a click that submits or follows a link) and waits for the next page to finish loading. */
export async function nextPage(page: Page, action: () => Promise<void>): Promise<URL> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
  return new URL(page.url());
}

/**
 * Reloads the page, as a person waiting for something would, until `ready` answers true; fails after
 * `timeoutMs`. Answers how many reloads it took.
 */
export async function reloadUntil(page: Page, what: string, ready: () => Promise<boolean>, { timeoutMs = 30_000, intervalMs = 1_000 } = {}): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let reloads = 0; ; reloads += 1) {
    if (await ready()) return reloads;
    if (Date.now() >= deadline) throw new Error(`timed out after ${reloads} reloads waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    await page.reload();
  }
}
