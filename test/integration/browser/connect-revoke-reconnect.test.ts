import { describe, expect, it, onTestFailed } from 'vitest';
import { waitFor } from '../../helpers/lifecycle.js';
import { computedStyle, confirmAndLogIn, expectCleanPage, expectImagesLoaded, flashMessage, nextPage, screenshotsIn, useBrowserPage, visibleText } from './support.js';

// A new user in a real browser: register, pick a paid plan, connect X through the sandbox's
// consent page, lose the token when X revokes it, see why, and reconnect the same account.
// Each step is asserted on what the page shows and saved as a full-page screenshot.

describe('browser: connect, revocation and reconnect', () => {
  const screenshot = screenshotsIn('connect-revoke-reconnect');
  const session = useBrowserPage();

  const expectClean = () => expectCleanPage(session.page, session.problems);
  const flash = () => flashMessage(session.page);
  /** Runs a click that loads another page; answers where the browser ended up. */
  const go = (click: () => Promise<void>) => nextPage(session.page, click);
  const mainNav = (name: string) => session.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const consentUrl = () => new RegExp(`^${session.dashboard.sandbox.url}/x\\.com/i/oauth2/authorize\\?`);
  const xSection = () => session.page.getByRole('region', { name: 'X', exact: true });
  const accountStatus = async (accountId: string) => (await session.dashboard.db.models.Account.findById(accountId).lean())?.status;

  it('walks a new user from sign-up to a reconnected X account', { timeout: 120_000 }, async () => {
    const { dashboard, page } = session;
    onTestFailed(async () => {
      await screenshot(page, 'failure');
    });
    const { sandbox, url } = dashboard;
    const identity = await sandbox.control.createIdentity({ platform: 'x', handle: 'browser_writer', displayName: 'Browser Writer' });

    // 1. Register, confirm the address from the email, log in.
    const email = `ada-${Date.now()}@example.com`;
    await page.goto(`${url}/register`);
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Create an account');
    await page.getByRole('textbox', { name: 'Your name', exact: true }).fill('Ada Writer');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByLabel('Password', { exact: false }).and(page.locator('input[type=password]')).fill('correct horse battery');
    await page.getByRole('textbox', { name: /^First pen name/ }).fill('Morning Notes');
    await screenshot(page, '01-register-form');
    expect((await go(() => page.getByRole('button', { name: 'Create account' }).click())).pathname).toBe('/login');
    expect(await flash()).toEqual({ text: `We sent an email to ${email}. Open the link in it to confirm your address, then log in here.`, error: false });
    await expectClean();
    await screenshot(page, '01b-check-your-email');
    expect(await confirmAndLogIn(page, dashboard, email, 'correct horse battery')).toEqual({ confirmed: `Your address ${email} is confirmed. Log in to start.` });
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Connections');
    expect(await visibleText(page.locator('.banner-limit'))).toContain('Connect is unavailable on your plan.');
    expect(await xSection().locator('[aria-disabled="true"]').innerText()).toBe('Connect');
    await expectClean();
    await screenshot(page, '02-connections-free-plan');

    // 2. Billing: switch to a paid plan with the self-serve button.
    expect((await go(() => mainNav('Billing').click())).pathname).toBe('/billing');
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Billing');
    expect(await visibleText(page.locator('.plan-name'))).toBe('Free');
    await expectClean();
    await screenshot(page, '03-billing-free');
    expect((await go(() => page.getByRole('button', { name: 'Switch to Starter' }).click())).pathname).toBe('/billing');
    expect(await flash()).toEqual({ text: 'Your plan is now Starter.', error: false });
    expect(await visibleText(page.locator('.plan-name'))).toBe('Starter');
    expect(await visibleText(page.getByRole('row', { name: /Starter/ }))).toContain('Current plan');
    expect(await page.getByRole('button', { name: 'Switch to Free' }).isEnabled()).toBe(true);
    await expectClean();
    await screenshot(page, '04-billing-starter');

    // 3. Connections: X can be connected now.
    expect((await go(() => mainNav('Connections').click())).pathname).toBe('/connections');
    expect(await page.locator('.banner-limit').count()).toBe(0);
    expect(await visibleText(xSection())).toContain('No X account connected.');
    await expectClean();
    await screenshot(page, '05-connections-starter');

    // 4. Connect X: the sandbox's consent page, approve as the new identity.
    expect((await go(() => xSection().getByRole('link', { name: 'Connect' }).click())).toString()).toMatch(consentUrl());
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Connect your X account');
    const identityChoice = page.getByRole('radio', { name: /@browser_writer/ });
    await identityChoice.check();
    expect(await identityChoice.isChecked()).toBe(true);
    await expectImagesLoaded(page);
    await screenshot(page, '06-consent');

    // 5. Back on Connections with an Active pill.
    expect((await go(() => page.getByRole('button', { name: 'Approve' }).click())).pathname).toBe('/connections');
    expect(await flash()).toEqual({ text: 'Connected @browser_writer on X: active.', error: false });
    const pill = xSection().getByRole('listitem');
    expect(await pill.count()).toBe(1);
    expect(await visibleText(pill.locator('.handle'))).toBe('@browser_writer');
    expect(await visibleText(pill.locator('.state'))).toBe('Active');
    expect(await pill.getAttribute('class')).toContain('pill-ok');
    // What the lifecycle does next, in the user's zone (UTC until they choose one).
    expect(await visibleText(pill.locator('.next'))).toMatch(/^Next: Checks the connection at (\d{1,2} [A-Z][a-z]{2} \d{4}, )?\d\d:\d\d UTC$/);
    expect(await visibleText(pill.locator('.checked'))).toMatch(/^Last checked \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC; next check (\d{1,2} [A-Z][a-z]{2} \d{4}, )?\d\d:\d\d UTC\.$/);
    const accountId = await pill.getAttribute('data-account');
    expect(accountId).toBeTruthy();
    expect(await page.getByRole('alert').count()).toBe(0);
    await expectClean();
    await screenshot(page, '07-connected-active');

    // 6. X revokes the token. The lifecycle learns of it at its next renewal: the renew button nudges it now.
    await sandbox.control.revoke('x', identity.id);
    expect((await go(() => pill.getByRole('button', { name: 'Renew @browser_writer now' }).click())).pathname).toBe('/connections');
    const renewFlash = await flash();
    expect(renewFlash.error).toBe(true);
    const expired = await waitFor('the account to be marked expired', async () => {
      const status = await accountStatus(accountId!);
      return status?.state === 'expired' ? status : undefined;
    });
    // Stored as the platform's code and its words; the pages quote the words.
    expect(expired.reason?.code).toBe('refresh_token_invalid');
    const reason = expired.reason?.detail ?? '';
    // The platform's specific answer, not the pill's generic fallback ("Reconnect to continue.").
    expect(reason).toMatch(/^X no longer accepts this connection's refresh token \(revoked/);
    expect(renewFlash.text).toBe(`@browser_writer on X: ${reason}${reason.endsWith('.') ? '' : '.'}`);
    await screenshot(page, '08-after-renew-nudge');

    // 7. A reload shows the red pill with the specific reason, and the attention banner.
    await page.reload();
    expect(await pill.count()).toBe(1);
    expect(await pill.getAttribute('class')).toContain('pill-danger');
    expect(await visibleText(pill.locator('.state'))).toBe('Token expired — Reconnect');
    expect(await visibleText(pill.locator('.reason'))).toBe(reason);
    expect(await pill.getByRole('button', { name: /Renew/ }).count()).toBe(0);
    expect(await computedStyle(pill.locator('.state'), 'color')).toBe('rgb(180, 35, 24)'); // --danger: red text on the red pill
    const pageBanner = await visibleText(page.getByRole('alert'));
    expect(pageBanner).toBe('1 account needs your attention: @browser_writer (Token expired)');
    await expectClean();
    await screenshot(page, '09-token-expired');

    // The global banner follows the user to other pages.
    expect((await go(() => mainNav('Billing').click())).pathname).toBe('/billing');
    expect(await visibleText(page.getByRole('alert'))).toBe('1 connected account needs your attention in Morning Notes. Open Connections');
    await expectClean();
    await screenshot(page, '10-global-attention-banner');
    expect((await go(() => page.getByRole('alert').getByRole('link', { name: 'Open Connections' }).click())).pathname).toBe('/connections');

    // 8. Reconnect from the pill: consent again, same account.
    expect((await go(() => pill.locator('.state').getByRole('link', { name: 'Reconnect' }).click())).toString()).toMatch(consentUrl());
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('Connect your X account');
    await page.getByRole('radio', { name: /@browser_writer/ }).check();
    await screenshot(page, '11-reconnect-consent');

    // 9. Active again: the same pill, not a second one, and nothing needs attention.
    expect((await go(() => page.getByRole('button', { name: 'Approve' }).click())).pathname).toBe('/connections');
    expect(await flash()).toEqual({ text: 'Reconnected @browser_writer on X: active.', error: false });
    expect(await pill.count()).toBe(1);
    expect(await pill.getAttribute('data-account')).toBe(accountId);
    expect(await pill.getAttribute('class')).toContain('pill-ok');
    expect(await visibleText(pill.locator('.state'))).toBe('Active');
    expect(await pill.locator('.reason').count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect((await accountStatus(accountId!))?.state).toBe('active');
    expect(await dashboard.db.models.Account.countDocuments({ platform: 'x', externalId: identity.id })).toBe(1);
    await expectClean();
    await screenshot(page, '12-reconnected-active');
  });
});
