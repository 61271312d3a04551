import { DateTime } from 'luxon';
import { describe, expect, it, onTestFailed } from 'vitest';
import { expectCleanPage, flashMessage, nextPage, reloadUntil, screenshotsIn, signUpInBrowser, useBrowserPage, visibleText, watchPage } from './support.js';

// A writer in a real browser: sign up, connect X, write a post that is too long for X and see why,
// fix it, schedule it half a minute ahead in their own time zone, watch it wait in the queue and go
// out, and follow the link to the post on the sandbox. Then a second post, published at once.
// Each step is asserted on what the page shows and saved as a full-page screenshot.

/** The writer's time zone: hours from UTC, so a time read in the wrong zone would never come due. */
const ZONE = 'America/New_York';
const HANDLE = 'compose_writer';
const ACCOUNT = `X @${HANDLE}`;
const SCHEDULED_TEXT = 'Morning notes: the tide tables were right again. Thread on moon phases tomorrow.';
const NOW_TEXT = 'Quick one, straight out: the harbour café reopens at noon.';
/** 309 plain ASCII characters (X weighs each as one): 29 over X's limit. */
const TOO_LONG_TEXT = Array.from({ length: 10 }, () => 'The tide came in slowly today.').join(' ');

/** What a datetime-local input holds for an instant in `zone`; Chromium drops ":00" seconds itself. */
const localInput = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat(at.getUTCSeconds() === 0 ? "yyyy-MM-dd'T'HH:mm" : "yyyy-MM-dd'T'HH:mm:ss");
/** How the pages write a time: "22 Nov 2026, 09:15 America/New_York". */
const shownTime = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('d LLL yyyy, HH:mm z');

describe('browser: compose, schedule and publish', () => {
  const screenshot = screenshotsIn('compose-publish');
  const session = useBrowserPage({ timezoneId: ZONE });

  const expectClean = () => expectCleanPage(session.page, session.problems);
  const flash = () => flashMessage(session.page);
  /** Runs a click that loads another page; answers where the browser ended up. */
  const go = (click: () => Promise<void>) => nextPage(session.page, click);
  const mainNav = (name: string) => session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const heading = () => visibleText(session.page.getByRole('heading', { level: 1 }));
  /** The X account's chip on a post's detail page or in a list row. */
  const chipIn = (accountId: string) => session.page.locator(`li.chip[data-account="${accountId}"]`);

  /** Register, switch to a paid plan and connect X through the sandbox's consent page. Answers the account id. */
  const signUpWithX = async (): Promise<string> => {
    const { dashboard, page } = session;
    const email = `cleo-${Date.now()}@example.com`;
    await signUpInBrowser(page, dashboard, { name: 'Cleo Writer', email, password: 'correct horse battery', penName: 'Harbour Notes' });

    expect((await go(() => mainNav('Billing').click())).pathname).toBe('/billing');
    expect((await go(() => page.getByRole('button', { name: 'Switch to Starter' }).click())).pathname).toBe('/billing');
    expect(await flash()).toEqual({ text: 'Your plan is now Starter.', error: false });

    expect((await go(() => mainNav('Connections').click())).pathname).toBe('/connections');
    const xSection = page.getByRole('region', { name: 'X', exact: true });
    expect((await go(() => xSection.getByRole('link', { name: 'Connect' }).click())).toString()).toMatch(new RegExp(`^${dashboard.sandbox.url}/x\\.com/i/oauth2/authorize\\?`));
    expect(await heading()).toBe('Connect your X account');
    await page.getByRole('radio', { name: new RegExp(`@${HANDLE}`) }).check();
    expect((await go(() => page.getByRole('button', { name: 'Approve' }).click())).pathname).toBe('/connections');
    expect(await flash()).toEqual({ text: `Connected @${HANDLE} on X: active.`, error: false });
    const pill = xSection.getByRole('listitem');
    expect(await visibleText(pill.locator('.state'))).toBe('Active');
    const accountId = await pill.getAttribute('data-account');
    expect(accountId).toBeTruthy();
    await expectClean();
    await screenshot(page, '01-connected-active');
    return accountId!;
  };

  it('schedules a post in the writer’s time zone, shows it queued, publishes it and links to it; publishes another at once', { timeout: 150_000 }, async () => {
    const { dashboard, page, problems } = session;
    onTestFailed(async () => {
      await screenshot(page, 'failure');
    });
    await dashboard.sandbox.control.createIdentity({ platform: 'x', handle: HANDLE, displayName: 'Cleo Writer' });
    const accountId = await signUpWithX();

    // 1. Posts: nothing yet.
    expect((await go(() => mainNav('Posts').click())).pathname).toBe('/posts');
    expect(await heading()).toBe('Posts');
    expect(await mainNav('Posts').getAttribute('aria-current')).toBe('page');
    expect(await visibleText(page.locator('section.posts'))).toContain('No posts yet. Write a post.');
    await expectClean();
    await screenshot(page, '02-posts-empty');

    // 2. New post: the X account is offered with its limits (text and media); the time starts in the saved zone (UTC for a new user).
    expect((await go(() => page.getByRole('link', { name: 'New post' }).click())).pathname).toBe('/posts/new');
    expect(await heading()).toBe('New post');
    const text = page.getByRole('textbox', { name: 'Text', exact: true });
    const xChoice = page.getByRole('checkbox', { name: new RegExp(`^${ACCOUNT}`) });
    expect(await visibleText(page.locator(`#choice-${accountId}`))).toBe(
      `${ACCOUNT} up to 280 characters (links count 23, emoji 2) · up to 4 images (JPEG, PNG, WebP, GIF, 5 MB each) · a video (MP4, MOV, 0.5 s–2.3 min, up to 512 MB)`,
    );
    expect(await xChoice.isChecked()).toBe(false);
    const atTime = page.getByRole('radio', { name: 'Publish at this time:' });
    const publishNow = page.getByRole('radio', { name: 'Publish now' });
    const dateTime = page.getByLabel('Date and time', { exact: true });
    const timeZone = page.getByRole('combobox', { name: 'in time zone' });
    expect(await atTime.isChecked()).toBe(true);
    expect(await timeZone.inputValue()).toBe('UTC');
    expect(await dateTime.inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(await page.getByRole('button', { name: 'Schedule post' }).isEnabled()).toBe(true);
    await expectClean();
    await screenshot(page, '03-compose-empty');

    // 3. Too long for X: nothing is stored, the form comes back with the X account's own message under it.
    expect(TOO_LONG_TEXT).toHaveLength(309);
    await text.fill(TOO_LONG_TEXT);
    await xChoice.check();
    await timeZone.selectOption(ZONE);
    await dateTime.fill(localInput(new Date(Date.now() + 10 * 60_000), ZONE));
    expect((await go(() => page.getByRole('button', { name: 'Schedule post' }).click())).pathname).toBe('/posts');
    expect(await heading()).toBe('New post');
    const tooLong = `X (@${HANDLE}): X allows 280 characters; this post has ${TOO_LONG_TEXT.length}`;
    expect(await visibleText(page.getByRole('alert'))).toBe(`Please check the form: ${tooLong}`);
    const fieldError = page.locator(`#choice-${accountId} .field-error`);
    expect(await visibleText(fieldError)).toBe(tooLong);
    expect(await xChoice.getAttribute('aria-invalid')).toBe('true');
    expect(await xChoice.getAttribute('aria-describedby')).toBe(await fieldError.getAttribute('id'));
    // What was typed is kept.
    expect(await text.inputValue()).toBe(TOO_LONG_TEXT);
    expect(await xChoice.isChecked()).toBe(true);
    expect(await timeZone.inputValue()).toBe(ZONE);
    expect(await dashboard.db.models.Post.countDocuments({})).toBe(0);
    // Chromium reports the form's 400 answer on the console: expected here, and only here.
    expect(problems).toEqual([`console: Failed to load resource: the server responded with a status of 400 (Bad Request) (${dashboard.url}/posts)`]);
    problems.length = 0;
    await expectClean();
    await screenshot(page, '04-compose-too-long');

    // 4. Shorter, and half a minute ahead on the writer's New York wall clock.
    await text.fill(SCHEDULED_TEXT);
    // Whole seconds: what the input holds, so the instant the post is due.
    const publishAt = new Date(Math.ceil((Date.now() + 25_000) / 1000) * 1000);
    await dateTime.fill(localInput(publishAt, ZONE));
    await atTime.check();
    await screenshot(page, '05-compose-scheduled');
    const detailUrl = await go(() => page.getByRole('button', { name: 'Schedule post' }).click());
    expect(detailUrl.pathname).toMatch(/^\/posts\/[0-9a-f-]{36}$/);

    // 5. The detail page: queued first in the X account's queue, the chip says Scheduled.
    expect(await flash()).toEqual({ text: `Scheduled for ${shownTime(publishAt, ZONE)}. Queued on ${ACCOUNT} (position 1).`, error: false });
    expect(await heading()).toBe('Post');
    expect(await visibleText(page.locator('.post-text'))).toBe(SCHEDULED_TEXT);
    expect(await visibleText(page.locator('.card time'))).toBe(shownTime(publishAt, ZONE));
    const chip = chipIn(accountId);
    expect(await chip.getAttribute('data-status')).toBe('scheduled');
    expect(await visibleText(chip)).toBe(`${ACCOUNT}: Scheduled`);
    const targetRow = page.locator(`#target-${accountId}`);
    expect(await visibleText(targetRow)).toMatch(new RegExp(`^${ACCOUNT}: Scheduled Due ${shownTime(publishAt, ZONE)} · in the account's queue since .+ · publish attempts: 0$`));
    expect(await page.getByRole('link', { name: 'Edit' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Cancel post' }).isEnabled()).toBe(true);
    await expectClean();
    await screenshot(page, '06-post-scheduled');

    // 6. The Posts list, Scheduled filter: the post is there with its time and chip.
    expect((await go(() => page.getByRole('link', { name: '← All posts' }).click())).pathname).toBe('/posts');
    const filters = page.getByRole('navigation', { name: 'Filter by status' });
    const scheduledUrl = await go(() => filters.getByRole('link', { name: 'Scheduled', exact: true }).click());
    expect(scheduledUrl.search).toBe('?status=scheduled');
    expect(await filters.getByRole('link', { name: 'Scheduled', exact: true }).getAttribute('aria-current')).toBe('page');
    const postId = detailUrl.pathname.split('/').pop()!;
    const row = page.locator(`#post-${postId}`);
    expect(await page.locator('section.posts li.row').count()).toBe(1);
    expect(await visibleText(row)).toBe(`${SCHEDULED_TEXT} ${shownTime(publishAt, ZONE)} ${ACCOUNT}: Scheduled`);
    await expectClean();
    await screenshot(page, '07-posts-scheduled-filter');

    // 7. Back on the post, refreshing until X has it: Published, with a link.
    expect((await go(() => row.getByRole('link', { name: SCHEDULED_TEXT }).click())).pathname).toBe(detailUrl.pathname);
    expect(Date.now(), 'still before the publish time').toBeLessThan(publishAt.getTime());
    await reloadUntil(page, 'the post to be published on X', async () => (await chip.getAttribute('data-status')) === 'published', { timeoutMs: 60_000 });
    const [onX] = await dashboard.sandbox.control.posts({ platform: 'x' });
    expect(onX?.text).toBe(SCHEDULED_TEXT);
    expect(Date.parse(onX!.createdAt), 'not published before its time').toBeGreaterThanOrEqual(publishAt.getTime());
    const viewPost = chip.getByRole('link', { name: 'View post' });
    expect(await visibleText(chip)).toBe(`${ACCOUNT}: Published — View post`);
    expect(await chip.getAttribute('class')).toContain('chip-ok');
    expect(await visibleText(targetRow)).toMatch(/ · published .+ · publish attempts: 1$/);
    expect(await page.getByRole('button', { name: 'Cancel post' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    const postUrl = await viewPost.getAttribute('href');
    expect(postUrl).toMatch(new RegExp(`^${dashboard.sandbox.url}/x\\.com/${HANDLE}/status/\\w+$`));
    await expectClean();
    await screenshot(page, '08-post-published');

    // 8. The link opens X's (the sandbox's) page of the post, in a new tab.
    const [sandboxPage] = await Promise.all([page.waitForEvent('popup'), viewPost.click()]);
    const sandboxProblems = watchPage(sandboxPage).problems;
    await sandboxPage.waitForLoadState('load');
    expect(sandboxPage.url()).toBe(postUrl);
    expect(await visibleText(sandboxPage.getByRole('heading', { level: 1 }))).toBe(`Cleo Writer @${HANDLE}`);
    expect(await visibleText(sandboxPage.getByTestId('post-text'))).toBe(SCHEDULED_TEXT);
    await expectCleanPage(sandboxPage, sandboxProblems);
    await screenshot(sandboxPage, '09-sandbox-post');
    await sandboxPage.close();

    // 9. A second post, published now: the form remembers the writer's time zone.
    expect((await go(() => mainNav('Posts').click())).pathname).toBe('/posts');
    expect((await go(() => page.getByRole('link', { name: 'New post' }).click())).pathname).toBe('/posts/new');
    expect(await timeZone.inputValue()).toBe(ZONE);
    await text.fill(NOW_TEXT);
    await xChoice.check();
    await publishNow.check();
    expect(await atTime.isChecked()).toBe(false);
    await screenshot(page, '10-compose-now');
    const secondUrl = await go(() => page.getByRole('button', { name: 'Publish now' }).click());
    expect(secondUrl.pathname).toMatch(/^\/posts\/[0-9a-f-]{36}$/);
    expect(secondUrl.pathname).not.toBe(detailUrl.pathname);
    expect(await flash()).toEqual({ text: `Publishing now. Queued on ${ACCOUNT} (position 1).`, error: false });
    expect(await visibleText(page.locator('.post-text'))).toBe(NOW_TEXT);
    await reloadUntil(page, 'the second post to be published on X', async () => (await chip.getAttribute('data-status')) === 'published', { timeoutMs: 30_000 });
    expect(await visibleText(chip)).toBe(`${ACCOUNT}: Published — View post`);
    expect(await chip.getByRole('link', { name: 'View post' }).getAttribute('href')).toMatch(new RegExp(`^${dashboard.sandbox.url}/x\\.com/${HANDLE}/status/\\w+$`));
    await expectClean();
    await screenshot(page, '11-now-published');

    // 10. The list: both under Published, none left under Scheduled.
    expect((await go(() => page.getByRole('link', { name: '← All posts' }).click())).pathname).toBe('/posts');
    expect((await go(() => filters.getByRole('link', { name: 'Published', exact: true }).click())).search).toBe('?status=published');
    const rows = page.locator('section.posts li.row');
    expect(await rows.count()).toBe(2);
    expect(await visibleText(page.locator(`#post-${postId}`))).toBe(`${SCHEDULED_TEXT} ${shownTime(publishAt, ZONE)} ${ACCOUNT}: Published — View post`);
    expect(await visibleText(rows.filter({ hasText: NOW_TEXT }))).toContain(`${ACCOUNT}: Published — View post`);
    await expectClean();
    await screenshot(page, '12-posts-published-filter');
    expect((await go(() => filters.getByRole('link', { name: 'Scheduled', exact: true }).click())).search).toBe('?status=scheduled');
    expect(await visibleText(page.locator('section.posts'))).toContain('No post has a scheduled target. Write a post.');
    await expectClean();
    // X has exactly the two posts: nothing published twice.
    const published = await dashboard.sandbox.control.posts({ platform: 'x' });
    expect(published.map((post) => post.text).sort()).toEqual([NOW_TEXT, SCHEDULED_TEXT].sort());
  });
});
