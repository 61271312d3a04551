import { describe, expect, it, onTestFailed } from 'vitest';
import { accountWorkflowId, revokedSignal } from '../../../workflows/account/messages.js';
import { waitFor } from '../../helpers/lifecycle.js';
import { expectCleanPage, flashMessage, nextPage, screenshotsIn, signUpInBrowser, useBrowserPage, visibleText } from './support.js';

// A person's account page in a real browser: an X account renewed twice from its page, deauthorized
// by the platform, reconnected from its page and used for a test post. The timeline (SVG beside
// the list) shows each of those by its words, once; no script runs (the CSP stays strict).

describe('browser: the account page timeline', () => {
  const screenshot = screenshotsIn('account-timeline');
  const session = useBrowserPage();

  it('shows renewals, a revoke, a reconnect and a publish on the account page', { timeout: 150_000 }, async () => {
    const { dashboard, page } = session;
    onTestFailed(async () => {
      await screenshot(page, 'failure');
    });
    const { sandbox, url } = dashboard;
    const identity = await sandbox.control.createIdentity({ platform: 'x', handle: 'timeline_writer', displayName: 'Timeline Writer' });
    const go = (click: () => Promise<void>) => nextPage(page, click);
    const listItems = async () => (await page.getByRole('list', { name: 'Events, newest first' }).getByRole('listitem').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());

    const email = `tl-${Date.now()}@example.com`;
    await signUpInBrowser(page, dashboard, { name: 'Tia Writer', email, password: 'correct horse battery', penName: 'Tia Notes' });
    await dashboard.db.models.User.updateOne({ email }, { $set: { plan: 'growth' } });

    // Connect X; the result offers a test post; the pill's handle opens the account page.
    await page.goto(`${url}/connections`);
    await go(() => page.getByRole('region', { name: 'X', exact: true }).getByRole('link', { name: 'Connect' }).click());
    await page.getByRole('radio', { name: /@timeline_writer/ }).check();
    expect((await go(() => page.getByRole('button', { name: 'Approve' }).click())).pathname).toBe('/connections');
    expect(await visibleText(page.locator('[id^="test-post-offer-"]'))).toContain('@timeline_writer is connected. Send a test post now');
    await screenshot(page, '01-connected-offer');
    const accountPath = (await go(() => page.getByRole('link', { name: '@timeline_writer', exact: true }).first().click())).pathname;
    const accountId = accountPath.split('/').pop()!;
    expect(await visibleText(page.getByRole('heading', { level: 1 }))).toBe('@timeline_writer on X');

    // Two renewals from the page's button.
    for (const round of [1, 2]) {
      expect((await go(() => page.getByRole('button', { name: 'Renew now' }).click())).pathname).toBe('/connections');
      expect((await flashMessage(page)).error).toBe(false);
      await waitFor(`renewal ${round} recorded`, async () => (await dashboard.db.models.AccountEvent.countDocuments({ accountId, kind: 'renewed' })) >= round);
      await page.goto(`${url}${accountPath}`);
    }

    // X deauthorizes Tether (as its webhook would tell the workflow).
    await sandbox.control.revoke('x', identity.id);
    await dashboard.temporal.client.workflow.getHandle(accountWorkflowId(accountId)).signal(revokedSignal, { reason: { code: 'token_revoked', detail: 'the user removed the app on X' } });
    await waitFor('expired', async () => (await dashboard.db.models.Account.findById(accountId).lean())?.status?.state === 'expired');
    await page.goto(`${url}${accountPath}`);
    expect(await visibleText(page.locator('#account-status'))).toMatch(/^Token expired: /);
    await screenshot(page, '02-expired');

    // Reconnect from the page.
    await go(() => page.locator('.account-actions').getByRole('link', { name: 'Reconnect' }).click());
    await page.getByRole('radio', { name: /@timeline_writer/ }).check();
    await go(() => page.getByRole('button', { name: 'Approve' }).click());
    await waitFor('active again', async () => (await dashboard.db.models.Account.findById(accountId).lean())?.status?.state === 'active');

    // A test post from the page.
    await page.goto(`${url}${accountPath}`);
    await go(() => page.getByRole('button', { name: 'Send a test post' }).click());
    expect(await page.locator('body').innerText()).toContain('Published.');
    await waitFor('the publish recorded', async () => (await dashboard.db.models.AccountEvent.countDocuments({ accountId, kind: 'postPublished' })) === 1);

    // The whole history, by its words.
    await page.goto(`${url}${accountPath}?range=all&show=all`);
    expect(await visibleText(page.locator('#account-status'))).toBe('Active');
    const items = await listItems();
    const count = (pattern: RegExp) => items.filter((item) => pattern.test(item)).length;
    expect(count(/Connected: Connected to Tether$/)).toBe(1);
    expect(count(/Renewed: Token renewed; it now lasts until \d+ \w{3} \d{4}, \d\d:\d\d UTC$/)).toBe(2);
    expect(count(/Deauthorized by the platform: The platform ended Tether's access/)).toBe(1);
    expect(count(/Queue paused: /)).toBe(1);
    expect(count(/Reconnected: Reconnected with new credentials/)).toBe(1);
    expect(count(/Queue resumed: /)).toBe(1);
    expect(count(/Post published: /)).toBe(1);
    expect(count(/Notification: Told you about the expiry on the dashboard/)).toBe(1);
    // Newest first: the publish is above the reconnect, which is above the revoke.
    const position = (pattern: RegExp) => items.findIndex((item) => pattern.test(item));
    expect(position(/Post published/)).toBeLessThan(position(/Reconnected:/));
    expect(position(/Reconnected:/)).toBeLessThan(position(/Deauthorized/));

    // The drawing: a red band for the expired stretch between green ones, one marker per listed event.
    const svg = page.locator('#timeline svg');
    expect(await svg.locator('rect.band-danger').count()).toBe(1);
    expect(await svg.locator('rect.band-ok').count()).toBe(2);
    expect(await svg.locator('circle').count()).toBe(items.length);
    expect(await svg.locator('circle[data-kind="deauthorized"] title').textContent()).toMatch(/Deauthorized by the platform/);
    expect(await page.locator('script').count()).toBe(0);
    await expectCleanPage(page, session.problems);
    await screenshot(page, '03-timeline-all');

    // Filters and ranges are links.
    await go(() => page.getByRole('navigation', { name: 'Show events' }).getByRole('link', { name: 'Status changes' }).click());
    const lifecycle = await listItems();
    expect(lifecycle.some((item) => item.includes('Renewed'))).toBe(false);
    expect(lifecycle.some((item) => item.startsWith('Reconnected') || item.includes('Reconnected:'))).toBe(true);
    await go(() => page.getByRole('navigation', { name: 'Time range' }).getByRole('link', { name: '24 hours' }).click());
    expect(new URL(page.url()).searchParams.get('range')).toBe('24h');
    await screenshot(page, '04-status-changes-24h');
  });
});
