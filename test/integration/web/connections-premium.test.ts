import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { PlatformId } from '../../../platforms/types.js';
import { accountWorkflowId } from '../../../workflows/account/messages.js';
import { checkPremiumForPenName } from '../../../web/connections/premium.js';
import { connectThroughSandbox, sandboxAdapters, waitFor, type Owner } from '../../helpers/lifecycle.js';
import { postForm, registerPayingUser, type TestUser, useLiveWeb } from './support.js';

// "Refresh Twitter Premium Status" on the Connections page: each X account's workflow reads the
// subscription from the sandbox, the page shows one line per account, and the Account keeps it.

describe('web: refreshing X Premium status from the Connections page', () => {
  const web = useLiveWeb();

  const payingUser = () => registerPayingUser(web);

  const connectX = async (owner: Owner, handle: string, subscription?: 'Basic' | 'Premium' | 'PremiumPlus') => {
    const connected = await connectThroughSandbox({ config: web.config, db: web.db, client: web.temporal.client, sandboxUrl: web.sandbox.url, owner, platform: 'x', handle, subscriptionType: subscription });
    return { accountId: connected.accountId, externalId: connected.externalId };
  };

  /** An account in MongoDB only: no lifecycle workflow was ever started for it. */
  const seedWithoutWorkflow = async (owner: Owner, platform: PlatformId, handle: string) => {
    const _id = randomUUID();
    const now = new Date();
    await web.db.models.Account.create({
      _id,
      ownerId: owner.ownerId,
      penNameId: owner.penNameId,
      platform,
      externalId: randomUUID(),
      handle,
      displayName: handle,
      meta: {},
      connectedAt: now,
      status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: now },
    });
    return _id;
  };

  const refreshPremium = async (user: TestUser) => {
    const response = await postForm(user.agent, '/connections/premium', {});
    expect(response.status).toBe(303);
    return response;
  };

  it('checks every X account of the pen name, shows a line per account once, and stores the subscription on the Account', { timeout: 90_000 }, async () => {
    const { user, owner } = await payingUser();
    const premium = await connectX(owner, 'premium_writer', 'Premium');
    const plain = await connectX(owner, 'plain_writer');
    const orphanId = await seedWithoutWorkflow(owner, 'x', 'orphan_writer');
    await seedWithoutWorkflow(owner, 'bluesky', 'not-x.bsky.social');

    const before = await user.agent.get('/connections').expect(200);
    expect(before.text).toContain('id="token-management"');
    expect(before.text).toContain('X Premium changes how long a post may be');
    expect(before.text).toContain('Refresh Twitter Premium Status');
    expect(before.text).not.toMatch(/class="badge"[^>]*>Premium</);

    const posted = await refreshPremium(user);
    expect(posted.headers.location).toBe('/connections#token-management');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('@premium_writer: Premium — posts up to 25,000 characters');
    expect(page.text).toContain('@plain_writer: None — posts up to 280 characters');
    expect(page.text).toContain('@orphan_writer: not checked — its lifecycle is not running; reconnect it.');
    expect(page.text).not.toContain('@not-x.bsky.social:');
    // The pills: a tag on the Premium account only.
    expect(page.text).toMatch(/@premium_writer <span class="badge" title="X Premium as of [^"]+: long posts allowed">Premium<\/span>/);
    expect(page.text).not.toMatch(/@plain_writer <span class="badge"/);

    const stored = await web.db.models.Account.findById(premium.accountId).lean();
    expect(stored?.premium?.subscriptionType).toBe('Premium');
    expect(stored?.premium?.checkedAt).toBeInstanceOf(Date);
    expect((await web.db.models.Account.findById(plain.accountId).lean())?.premium?.subscriptionType).toBe('None');
    expect((await web.db.models.Account.findById(orphanId).lean())?.premium).toBeUndefined();

    // The lines are shown once; the tag stays, read from MongoDB.
    const again = await user.agent.get('/connections').expect(200);
    expect(again.text).not.toContain('@premium_writer: Premium');
    expect(again.text).toMatch(/@premium_writer <span class="badge"[^>]*>Premium<\/span>/);

    // A change at X shows up on the next check.
    await web.sandbox.control.setSubscription(premium.externalId, 'None');
    await refreshPremium(user);
    const downgraded = await user.agent.get('/connections').expect(200);
    expect(downgraded.text).toContain('@premium_writer: None — posts up to 280 characters');
    expect(downgraded.text).not.toMatch(/@premium_writer <span class="badge"/);
    expect((await web.db.models.Account.findById(premium.accountId).lean())?.premium?.subscriptionType).toBe('None');
  });

  it("shows X's refusal as the reason, then the workflow's refusal once the token has expired", { timeout: 90_000 }, async () => {
    const { user, owner } = await payingUser();
    const revoked = await connectX(owner, 'revoked_writer', 'Premium');
    await web.sandbox.control.revoke('x', revoked.externalId);

    await refreshPremium(user);
    const refused = await user.agent.get('/connections').expect(200);
    expect(refused.text).toMatch(/@revoked_writer: not checked — X refused the access token/);
    expect((await web.db.models.Account.findById(revoked.accountId).lean())?.premium).toBeUndefined();

    // The refusal made the workflow renew, which X refuses too: the token is expired, and the
    // workflow's validator turns the next check away with its own words.
    await waitFor('the account to show expired', async () => (await web.db.models.Account.findById(revoked.accountId).lean())?.status?.state === 'expired');
    await refreshPremium(user);
    const rejected = await user.agent.get('/connections').expect(200);
    expect(rejected.text).toContain('@revoked_writer: not checked — The token has expired; reconnect first.');
  });

  it('tells a pen name without X accounts that there is nothing to check', async () => {
    const { user, owner } = await payingUser();
    await seedWithoutWorkflow(owner, 'linkedin', 'only-linkedin');
    const posted = await refreshPremium(user);
    expect(posted.headers.location).toBe('/connections');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain(`No X account is connected to ${owner.penName}, so there is no Premium status to refresh.`);
  });

  it('refuses the check without the CSRF token', async () => {
    const { user, owner } = await payingUser();
    const account = await connectX(owner, 'csrf_writer', 'Premium');
    await user.agent.post('/connections/premium').type('form').send({}).expect(403);
    expect((await web.db.models.Account.findById(account.accountId).lean())?.premium).toBeUndefined();
  });

  it('gives up on a lifecycle that does not answer in time, with a message saying so', { timeout: 30_000 }, async () => {
    const { owner } = await payingUser();
    const accountId = await seedWithoutWorkflow(owner, 'x', 'stalled_writer');
    // A workflow on a task queue no worker polls: it exists, but never takes the update.
    const stalled = await web.temporal.client.workflow.start('accountWorkflow', {
      workflowId: accountWorkflowId(accountId),
      taskQueue: `nobody-polls-${randomUUID()}`,
      args: [{ accountId }],
    });
    try {
      const deps = { models: web.db.models, adapters: sandboxAdapters(web.config, web.sandbox.url), workflows: { client: web.temporal.client, taskQueue: web.config.temporal.taskQueue } };
      const started = Date.now();
      const lines = await checkPremiumForPenName(deps, owner, { timeZone: 'UTC', now: Date.now() }, { timeoutMs: 2000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(lines).toEqual([{ accountId, handle: 'stalled_writer', ok: false, text: '@stalled_writer: not checked — its lifecycle did not answer within 2 s; try again in a minute.' }]);
    } finally {
      await stalled.terminate('test over');
    }
  });
});
