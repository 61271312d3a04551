import { randomUUID } from 'node:crypto';
import path from 'node:path';
import ejs from 'ejs';
import { describe, expect, it } from 'vitest';
import type { AccountStatus } from '../../../db/models/account.js';
import type { PlatformId } from '../../../platforms/types.js';
import { accountsNeedingActionCount } from '../../../web/connections/attention.js';
import { claimSlot } from '../../../db/plan-slots.js';
import { slotHolderFor } from '../../../db/models/plan-slot.js';
import { sandboxAdapters } from '../../helpers/lifecycle.js';
import { penNamesOf, postForm, registerUser, useWeb, type TestUser } from './support.js';

// The Connections page rendered from the status projection alone (no Temporal call): pills,
// banners, plan limits, and the refusal of other people's accounts.

describe('web: the Connections page', () => {
  // Adapters pointed at a sandbox that is never called: these pages only read MongoDB.
  const web = useWeb({}, (config) => ({ adapters: sandboxAdapters(config, 'http://127.0.0.1:9') }));

  const seedAccount = async (user: TestUser, input: { platform: PlatformId; handle: string; status?: Partial<AccountStatus> }) => {
    const penNameId = (await penNamesOf(web, user.id))[0]!._id;
    const externalId = randomUUID();
    const _id = randomUUID();
    const now = new Date();
    await web.db.models.Account.create({
      _id,
      ownerId: user.id,
      penNameId,
      platform: input.platform,
      externalId,
      handle: input.handle,
      displayName: input.handle,
      meta: {},
      connectedAt: now,
      ...(input.status ? { status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: now, ...input.status } } : {}),
    });
    await claimSlot(web.db.models, { ownerId: user.id, holder: slotHolderFor({ penNameId, platform: input.platform, externalId }), limit: 50 });
    return _id;
  };

  it('lists every platform with a Connect link, and a free plan says why Connect is unavailable', async () => {
    const user = await registerUser(web);
    const page = await user.agent.get('/connections').expect(200);
    const order = ['LinkedIn', 'Facebook', 'Bluesky', 'YouTube', 'Pinterest', 'Instagram', 'TikTok', 'X', 'Threads'].map((name) => page.text.indexOf(`>${name}</h2>`));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page.text).toContain('Connect is unavailable on your plan.');
    expect(page.text).toContain('<a href="/billing">Upgrade on the Billing page</a>');
    expect(page.text).not.toContain('href="/connect/x"');
    const refused = await user.agent.get('/connect/x').expect(403);
    expect(refused.text).toContain('Your plan does not include connected accounts');
  });

  it('offers Connect as links on a paid plan', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'starter' } });
    const page = await user.agent.get('/connections').expect(200);
    for (const platform of ['x', 'linkedin', 'bluesky', 'facebook']) expect(page.text).toContain(`<a class="button primary" href="/connect/${platform}">Connect</a>`);
    expect(page.text).not.toContain('banner-limit');
  });

  it('shows the limit banner with an Upgrade link when the plan is full, and refuses a new connect', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'starter' } });
    for (let i = 0; i < 5; i++) await seedAccount(user, { platform: 'x', handle: `full_${i}` });
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('class="banner banner-limit"');
    expect(page.text).toContain("You have reached your plan's limit:");
    expect(page.text).toContain('<a href="/billing">Upgrade</a>');
    expect(page.text).not.toContain('href="/connect/linkedin"');
    await user.agent.get('/connect/linkedin').expect(409);
  });

  it("phrases each pill's reason and next step from the stored codes and times, in the user's time zone", async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth', timeZone: 'Europe/Berlin' } });
    // 30 Mar 2031: Berlin's clocks go from 02:00 to 03:00 at 01:00 UTC.
    const beforeChange = new Date('2031-03-30T00:30:00Z');
    const afterChange = new Date('2031-03-30T01:30:00Z');
    await seedAccount(user, { platform: 'x', handle: 'renews_soon', status: { nextAction: 'renew', nextActionAt: afterChange } });
    await seedAccount(user, {
      platform: 'linkedin',
      handle: 'fading',
      status: { state: 'expiring', warningDeadline: afterChange, reason: { code: 'token_expiring', at: afterChange }, nextAction: 'markExpired', nextActionAt: afterChange },
    });
    await seedAccount(user, { platform: 'x', handle: 'gone_dark', status: { state: 'expired', queuePaused: true, reason: { code: 'refresh_token_invalid', detail: 'X no longer accepts this connection’s refresh token' }, nextAction: 'waitForReconnect' } });
    await seedAccount(user, { platform: 'bluesky', handle: 'slowed.bsky.social', status: { reason: { code: 'rate_limited', at: beforeChange }, nextAction: 'retryRenewal', nextActionAt: beforeChange } });
    // Renew by need: the projection says when the platform last accepted the connection and when it is checked next.
    await seedAccount(user, {
      platform: 'pinterest',
      handle: 'checked_daily',
      status: { nextAction: 'check', nextActionAt: afterChange, lastCheckedAt: beforeChange, nextCheckAt: afterChange, grantExpiresAt: new Date('2031-04-29T01:30:00Z') },
    });
    await seedAccount(user, {
      platform: 'threads',
      handle: 'struggling',
      status: {
        state: 'expiring',
        warningDeadline: afterChange,
        reason: { code: 'renewal_failing', at: afterChange, count: 3, cause: { code: 'renewal_retrying', at: beforeChange, detail: 'Threads is having trouble (HTTP 503)' } },
      },
    });

    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toMatch(/pill pill-ok[\s\S]*?@renews_soon[\s\S]*?>Active<[\s\S]*?Next: Renews the token at 30 Mar 2031, 03:30 Europe\/Berlin</);
    expect(page.text).toContain(
      'Stops working on 30 Mar 2031, 03:30 Europe/Berlin. LinkedIn cannot renew this token automatically; it expires on 30 Mar 2031, 03:30 Europe/Berlin — reconnect before then</span>',
    );
    expect(page.text).toContain('Next: Stops working at 30 Mar 2031, 03:30 Europe/Berlin');
    expect(page.text).toMatch(/@gone_dark[\s\S]*?Token expired[\s\S]*?X no longer accepts this connection’s refresh token<\/span>/);
    expect(page.text).toMatch(/@slowed.bsky.social[\s\S]*?>Error<[\s\S]*?Bluesky is rate-limiting until 30 Mar 2031, 01:30 Europe\/Berlin, retrying[\s\S]*?Next: Tries the renewal again at 30 Mar 2031, 01:30 Europe\/Berlin/);
    expect(page.text).toContain(
      'Renewing the Threads token has failed 3 times in a row (latest: Threads did not complete the token renewal (Threads is having trouble (HTTP 503)); retrying at 30 Mar 2031, 01:30 Europe/Berlin); it stops working on 30 Mar 2031, 03:30 Europe/Berlin unless a renewal succeeds — reconnect to be safe',
    );
    expect(page.text).toMatch(
      /@checked_daily[\s\S]*?>Active<[\s\S]*?Next: Checks the connection at 30 Mar 2031, 03:30 Europe\/Berlin[\s\S]*?Last checked 30 Mar 2031, 01:30 Europe\/Berlin; next check 30 Mar 2031, 03:30 Europe\/Berlin\./,
    );
    expect(page.text).not.toMatch(/\d\d:\d\d UTC/);
  });

  // Documents written before reasons were structured hold `{ code, message }` and next actions in words.
  it('shows each status on its pill from documents stored before reasons were codes: their words as written', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth' } });
    await seedAccount(user, { platform: 'x', handle: 'all_good', status: { nextAction: 'renew token', nextActionAt: new Date('2031-03-05T10:00:00Z') } });
    await seedAccount(user, { platform: 'linkedin', handle: 'fading', status: { state: 'expiring', warningDeadline: new Date('2027-03-05T10:00:00Z') } });
    const expiredId = await seedAccount(user, {
      platform: 'x',
      handle: 'gone_dark',
      status: { state: 'expired', queuePaused: true, reason: { code: 'refresh_token_invalid', message: 'X no longer accepts this connection’s refresh token' } },
    });
    await seedAccount(user, { platform: 'bluesky', handle: 'slowed.bsky.social', status: { reason: { code: 'rateLimited', message: 'Bluesky is rate-limiting until 14:05, retrying' } } });

    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toMatch(/pill pill-ok[\s\S]*?@all_good[\s\S]*?>Active<[\s\S]*?Next: Renew token at 5 Mar 2031, 10:00 UTC</);
    expect(page.text).toMatch(/pill pill-warn[\s\S]*?@fading[\s\S]*?Expiring soon[\s\S]*?Stops working on 5 Mar 2027/);
    expect(page.text).toMatch(
      new RegExp(`pill pill-danger[\\s\\S]*?@gone_dark[\\s\\S]*?Token expired — <a href="/connect/x\\?reconnect=${expiredId}">Reconnect</a>[\\s\\S]*?no longer accepts this connection`),
    );
    expect(page.text).toMatch(/pill pill-warn[\s\S]*?@slowed.bsky.social[\s\S]*?>Error<[\s\S]*?Bluesky is rate-limiting until 14:05, retrying/);
    expect(page.text).toMatch(/class="banner banner-danger"[\s\S]*?2 accounts need your attention/);
  });

  it('renders in the same number of database queries whatever the number of accounts', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'agency' } });
    const countQueries = async () => {
      let queries = 0;
      web.db.connection.set('debug', () => {
        queries += 1;
      });
      await user.agent.get('/connections').expect(200);
      web.db.connection.set('debug', false);
      return queries;
    };
    await seedAccount(user, { platform: 'x', handle: 'one_of_many' });
    // The first view after registering also saves the session it changed (the welcome flash is shown once).
    await user.agent.get('/connections').expect(200);
    const withOne = await countQueries();
    for (let i = 0; i < 12; i++) await seedAccount(user, { platform: i % 2 ? 'x' : 'threads', handle: `many_${i}`, status: { state: 'active' } });
    const withMany = await countQueries();
    expect(withOne).toBeGreaterThan(0);
    expect(withMany).toBe(withOne);
  });

  it("answers 404 for another user's account on the refresh and disconnect routes", async () => {
    const owner = await registerUser(web);
    await web.db.models.User.updateOne({ _id: owner.id }, { $set: { plan: 'growth' } });
    const accountId = await seedAccount(owner, { platform: 'x', handle: 'not_yours' });
    const stranger = await registerUser(web);
    await stranger.agent.get(`/connections/${accountId}/disconnect`).expect(404);
    expect((await postForm(stranger.agent, `/connections/${accountId}/refresh`, {})).status).toBe(404);
    expect((await postForm(stranger.agent, `/connections/${accountId}/disconnect`, {})).status).toBe(404);
    expect((await web.db.models.Account.findById(accountId).lean())?.disconnectedAt).toBeUndefined();
    await owner.agent.get(`/connections/${accountId}/disconnect`).expect(200);
  });

  it('refuses the account actions without the CSRF token', async () => {
    const owner = await registerUser(web);
    await web.db.models.User.updateOne({ _id: owner.id }, { $set: { plan: 'growth' } });
    const accountId = await seedAccount(owner, { platform: 'x', handle: 'csrf_guarded' });
    await owner.agent.post(`/connections/${accountId}/disconnect`).type('form').send({}).expect(403);
    await owner.agent.post(`/connections/${accountId}/refresh`).type('form').send({}).expect(403);
  });

  it('counts the accounts of the current pen name that need action, for the banner on every page', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth' } });
    const penNameId = (await penNamesOf(web, user.id))[0]!._id;
    await seedAccount(user, { platform: 'x', handle: 'fine_one', status: {} });
    expect(await accountsNeedingActionCount(web.db.models, { ownerId: user.id, penNameId })).toBe(0);
    await seedAccount(user, { platform: 'x', handle: 'broken_one', status: { state: 'expired', queuePaused: true } });
    await seedAccount(user, { platform: 'threads', handle: 'ageing_one', status: { state: 'expiring' } });
    expect(await accountsNeedingActionCount(web.db.models, { ownerId: user.id, penNameId })).toBe(2);

    const banner = path.resolve('web/views/connections/attention-banner.ejs');
    const onBilling = await ejs.renderFile(banner, { accountsNeedingAction: 2, currentPath: '/billing', currentPenName: { name: 'Morning <Notes>' } });
    expect(onBilling).toContain('2 connected accounts need your attention');
    expect(onBilling).toContain('Morning &lt;Notes&gt;');
    expect(onBilling).toContain('<a href="/connections">Open Connections</a>');
    expect(await ejs.renderFile(banner, { accountsNeedingAction: 0, currentPath: '/billing' })).not.toContain('banner');
    // The middleware counts them on page views outside /connections only, which lists them itself.
    expect((await user.agent.get('/notifications').expect(200)).text).toContain('2 connected accounts need your attention');
    expect((await user.agent.get('/connections').expect(200)).text).not.toContain('connected accounts need your attention');
  });
});
