import { describe, expect, it } from 'vitest';
import { createCredentialStore } from '../../../db/credentials.js';
import { approveConsent, denyConsent } from '../../../sandbox/client.js';
import { temporalClient } from '../../helpers/integration.js';
import { sandboxAdapters, waitFor } from '../../helpers/lifecycle.js';
import { postForm, registerPayingUser, registerUser, webApp, type Agent, type TestUser, useLiveWeb } from './support.js';

// Connect flows end to end: the dashboard's OAuth start and callback through the sandbox's
// consent page, the Bluesky form, and the account actions, with a real worker on the dev server.

describe('web: connect flows on the dev server', () => {
  const web = useLiveWeb();

  const payingUser = async (plan = 'growth'): Promise<TestUser> => (await registerPayingUser(web, plan)).user;

  /** Clicks Connect, returns the sandbox consent URL the dashboard redirected to. */
  const startConnect = async (agent: Agent, platform: string): Promise<string> => {
    const start = await agent.get(`/connect/${platform}`).expect(303);
    const location = start.headers.location as string;
    expect(location.startsWith(web.sandbox.url)).toBe(true);
    return location;
  };

  /** The callback as the browser would follow it: only the path and query reach the app. */
  const callbackPath = (redirect: string) => {
    const url = new URL(redirect);
    expect(url.origin + url.pathname).toMatch(new RegExp(`^${web.config.web.publicUrl}/connect/[a-z]+/callback$`));
    return url.pathname + url.search;
  };

  const connectX = async (agent: Agent, identity: string) => {
    const authorize = await startConnect(agent, 'x');
    const redirect = await approveConsent(authorize, { identity });
    return agent.get(callbackPath(redirect));
  };

  it('connects X through the consent page and shows an Active pill with the workflow answer', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'web_connects' });
    const authorize = await startConnect(user.agent, 'x');
    const url = new URL(authorize);
    expect(url.searchParams.get('redirect_uri')).toBe(`${web.config.web.publicUrl}/connect/x/callback`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')?.length).toBeGreaterThan(20);

    const redirect = await approveConsent(authorize, { identity: identity.id });
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connections');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Connected @web_connects on X: active.');
    expect(page.text).toMatch(/class="pill pill-ok"[\s\S]*?@web_connects[\s\S]*?<span class="state">Active/);

    const account = await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean();
    expect(account?.status?.state).toBe('active');
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(1);
    const opened = await createCredentialStore(web.db.models, web.config.tokenEncryptionKey).loadCredentials(account!._id);
    expect(opened?.credentials.accessToken.length).toBeGreaterThan(8);
    const raw = JSON.stringify(await web.db.connection.db!.collection('credentials').find({ accountId: account!._id }).toArray());
    expect(raw).not.toContain(opened!.credentials.accessToken);
    expect(raw).not.toContain(opened!.credentials.refreshToken!);

    // The state was single use: replaying the same callback is refused.
    const replay = await user.agent.get(callbackPath(redirect)).expect(400);
    expect(replay.text).toContain('The X connection was refused');
    expect(replay.text).toContain('no record of starting this connection');
  });

  it('refuses a tampered state with a clear page and connects nothing', { timeout: 30_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'x');
    const redirect = new URL(await approveConsent(authorize));
    redirect.searchParams.set('state', `${redirect.searchParams.get('state')}tampered`);
    const refused = await user.agent.get(redirect.pathname + redirect.search).expect(400);
    expect(refused.text).toContain('The X connection was refused');
    expect(refused.text).toContain('may have been tampered with');
    expect(await web.db.models.Account.countDocuments({ ownerId: user.id })).toBe(0);
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(0);
  });

  it('returns to Connections with the platform reason when consent is denied', { timeout: 30_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'linkedin');
    const redirect = await denyConsent(authorize);
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connections');
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toMatch(/LinkedIn was not connected: LinkedIn answered &#34;[^&]+.*user_cancelled_authorize&#34;/);
    expect(await web.db.models.Account.countDocuments({ ownerId: user.id })).toBe(0);
  });

  it('reconnecting the same identity keeps one account, one pill and one slot', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'comes_back' });
    await connectX(user.agent, identity.id);
    const first = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    await connectX(user.agent, identity.id);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Reconnected @comes_back on X: active.');
    expect(page.text.match(/@comes_back<\/span>/g)).toHaveLength(1);
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
    expect(accounts.map((a) => a._id)).toEqual([first!._id]);
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(1);
  });

  it("renews an account now from the loop icon and shows the outcome in the user's time zone", { timeout: 60_000 }, async () => {
    const user = await payingUser();
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { timeZone: 'America/New_York' } });
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'renew_me' });
    await connectX(user.agent, identity.id);
    const account = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    const before = (await web.sandbox.control.counters({ platform: 'x', externalId: identity.id })).refreshes;
    const renewed = await postForm(user.agent, `/connections/${account!._id}/refresh`, {});
    expect(renewed.status).toBe(303);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toMatch(/@renew_me on X: Renewed; the connection is valid until \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d America\/New_York\./);
    // The pill says what happens next, in the same zone.
    expect(page.text).toMatch(/Next: Checks the connection at (\d{1,2} [A-Z][a-z]{2} \d{4}, )?\d\d:\d\d America\/New_York/);
    // The renewal proved the connection: checked now, next a day on.
    expect(page.text).toMatch(/Last checked \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d America\/New_York; next check \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d America\/New_York\./);
    expect((await web.sandbox.control.counters({ platform: 'x', externalId: identity.id })).refreshes).toBe(before + 1);
  });

  it('disconnects after a confirmation page: revokes, forgets the tokens and frees the slot', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'leaving_now' });
    await connectX(user.agent, identity.id);
    const account = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    const confirm = await user.agent.get(`/connections/${account!._id}/disconnect`).expect(200);
    expect(confirm.text).toContain('Disconnect @leaving_now on X?');
    expect(confirm.text).toContain('No scheduled posts will be affected.');
    const done = await postForm(user.agent, `/connections/${account!._id}/disconnect`, {}, `/connections/${account!._id}/disconnect`);
    expect(done.status).toBe(303);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Disconnected @leaving_now on X. Access revoked at X.');
    expect(page.text).not.toContain('@leaving_now</span>');
    expect(await web.db.models.Credential.countDocuments({ accountId: account!._id })).toBe(0);
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(0);
    await waitFor('disconnected status', async () => (await web.db.models.Account.findById(account!._id).lean())?.status?.state === 'disconnected');

    // Connecting it again brings back the same account, live, holding a slot again.
    await connectX(user.agent, identity.id);
    const again = await user.agent.get('/connections').expect(200);
    expect(again.text).toContain('Reconnected @leaving_now on X: active.');
    const back = await web.db.models.Account.findById(account!._id).lean();
    expect(back?.disconnectedAt).toBeUndefined();
    expect(back?.status?.state).toBe('active');
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(1);
  });

  it('connects Bluesky with an app password it never stores', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const form = await user.agent.get('/connect/bluesky').expect(200);
    expect(form.text).toContain('app password');
    expect(form.text).toContain('href="https://bsky.app/settings/app-passwords"');
    const appPassword = 'abcd-efgh-ijkl-mnop';
    const wrong = await postForm(user.agent, '/connect/bluesky', { identifier: 'alice.bsky.social', appPassword: 'zzzz-zzzz-zzzz-zzzz' }, '/connect/bluesky');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('alice.bsky.social');
    expect(wrong.text).not.toContain('zzzz-zzzz-zzzz-zzzz');

    const done = await postForm(user.agent, '/connect/bluesky', { identifier: 'alice.bsky.social', appPassword }, '/connect/bluesky');
    expect(done.status).toBe(303);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Connected @alice.bsky.social on Bluesky: active.');
    expect(page.text).toMatch(/class="pill pill-ok"[\s\S]*?@alice.bsky.social/);

    for (const name of ['accounts', 'credentials', 'sessions', 'users', 'planslots', 'notifications']) {
      const raw = JSON.stringify(await web.db.connection.db!.collection(name).find({}).toArray());
      expect(raw).not.toContain(appPassword);
    }
    const collections = await web.db.connection.db!.listCollections().toArray();
    for (const { name } of collections) expect(JSON.stringify(await web.db.connection.db!.collection(name).find({}).toArray())).not.toContain(appPassword);
  });

  it('connects a Facebook Page after the choice step', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'facebook');
    const redirect = await approveConsent(authorize, { identity: '100000000000002' });
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connect/choose');
    const choose = await user.agent.get('/connect/choose').expect(200);
    const ids = [...choose.text.matchAll(/name="target" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual(['2000000000000021', '2000000000000022']);
    const session = JSON.stringify(await web.db.connection.db!.collection('sessions').find({}).toArray());
    expect(session).not.toMatch(/EAA|access_token|accessToken/);
    const done = await postForm(user.agent, '/connect/choose', { target: ids[0]! }, '/connect/choose');
    expect(done.status).toBe(303);
    const page = await user.agent.get('/connections').expect(200);
    // A Page is known by its name, so it is shown as it is, not as an @handle.
    const pageName = /value="2000000000000021">\s*<strong>([^<]+)<\/strong>/.exec(choose.text)?.[1];
    expect(pageName).toMatch(/ /);
    expect(page.text).toContain(`Connected ${pageName} on Facebook: active.`);
    expect(page.text).not.toContain(`@${pageName}`);
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
    expect(accounts.map((a) => a.externalId)).toEqual(['2000000000000021']);
  });

  it('connects a LinkedIn member straight after login, with no choice step (member mode)', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'linkedin');
    expect(new URL(authorize).searchParams.get('client_id')).toBe('sandbox-linkedin-client');
    const redirect = await approveConsent(authorize, { identity: 'liALICE1xYz' });
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connections');
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
    expect(accounts.map((a) => [a.platform, a.externalId, a.meta?.app])).toEqual([['linkedin', 'liALICE1xYz', 'member']]);
    expect(accounts[0]?.status?.state).toMatch(/active|expiring/);
  });

  it('connects a LinkedIn organization chosen after login (organization mode, its own app)', { timeout: 60_000 }, async () => {
    const { config } = web;
    const organizationConfig = { ...config, platforms: { ...config.platforms, linkedin: { ...config.platforms.linkedin, mode: 'organization' as const } } };
    const organizationWeb = {
      ...web,
      app: webApp(organizationConfig, web.db, {
        adapters: sandboxAdapters(organizationConfig, web.sandbox.url),
        workflows: { client: web.temporal.client, taskQueue: config.temporal.taskQueue },
      }),
    };
    const user = (await registerPayingUser(organizationWeb, 'growth')).user;
    const authorize = await startConnect(user.agent, 'linkedin');
    expect(new URL(authorize).searchParams.get('client_id')).toBe('sandbox-linkedin-organization-client');
    const redirect = await approveConsent(authorize, { identity: 'liBOB2xYz' });
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connect/choose');
    const choose = await user.agent.get('/connect/choose').expect(200);
    const ids = [...choose.text.matchAll(/name="target" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual(['10000002', '10000003']);
    expect(choose.text).toContain('organization');
    const none = await postForm(user.agent, '/connect/choose', {}, '/connect/choose');
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose at least one account to connect.');
    await postForm(user.agent, '/connect/choose', { target: '10000003' }, '/connect/choose').then((r) => expect(r.status).toBe(303));
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
    expect(accounts.map((a) => [a.platform, a.externalId, a.meta?.app])).toEqual([['linkedin', '10000003', 'organization']]);
    // The worker runs the member-mode adapters: the account's own app still checks its token.
    expect(accounts[0]?.status?.state).toMatch(/active|expiring/);
    // The choice is used up.
    await user.agent.get('/connect/choose').expect(404);
  });

  it('reconnects an account from its Reconnect link even when the plan is full', { timeout: 60_000 }, async () => {
    const user = await payingUser('starter');
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'full_house' });
    await connectX(user.agent, identity.id);
    const account = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    for (let i = 0; i < 4; i++) await web.db.models.PlanSlot.create({ _id: `${user.id}:${i + 1}`, ownerId: user.id, slot: i + 1, holder: `other-${i}`, claimedAt: new Date() });
    await user.agent.get('/connect/x').expect(409);
    const start = await user.agent.get(`/connect/x?reconnect=${account!._id}`).expect(303);
    const redirect = await approveConsent(start.headers.location as string, { identity: identity.id });
    await user.agent.get(callbackPath(redirect)).expect(303);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Reconnected @full_house on X: active.');
  });

  it('gives the slot back and leaves no live account when the workflow cannot be reached', { timeout: 60_000 }, async () => {
    const unreachable = await temporalClient(web.config);
    await unreachable.close();
    const broken = webApp(web.config, web.db, {
      adapters: sandboxAdapters(web.config, web.sandbox.url),
      workflows: { client: unreachable.client, taskQueue: web.config.temporal.taskQueue },
    });
    const brokenWeb = { config: web.config, db: web.db, app: broken, close: async () => undefined };
    const user = await registerUser(brokenWeb);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth' } });
    const failed = await postForm(user.agent, '/connect/bluesky', { identifier: 'bob.bsky.social', appPassword: 'bbbb-cccc-dddd-eeee' }, '/connect/bluesky');
    expect(failed.status).toBe(500);
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(0);
    const account = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    expect(account?.disconnectedAt).toBeInstanceOf(Date);
    expect(await web.db.models.Credential.countDocuments({ accountId: account!._id })).toBe(0);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).not.toContain('@bob.bsky.social</span>');
  });

  it('connects the Instagram account linked to a Page, one per Page', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'instagram');
    const redirect = await approveConsent(authorize, { identity: '100000000000001' });
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connect/choose');
    const choose = await user.agent.get('/connect/choose').expect(200);
    const ids = [...choose.text.matchAll(/name="target" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toEqual(['17841400000000011']);
    await postForm(user.agent, '/connect/choose', { target: ids[0]! }, '/connect/choose').then((r) => expect(r.status).toBe(303));
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('Connected @alice_shop on Instagram: active.');
  });

  it('connects the YouTube channel of the Google account chosen', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const authorize = await startConnect(user.agent, 'youtube');
    const redirect = await approveConsent(authorize);
    await user.agent.get(callbackPath(redirect)).expect(303).expect('location', '/connect/choose');
    const choose = await user.agent.get('/connect/choose').expect(200);
    const ids = [...choose.text.matchAll(/name="target" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(1);
    expect(choose.text).toContain('channel');
    await postForm(user.agent, '/connect/choose', { target: ids[0]! }, '/connect/choose').then((r) => expect(r.status).toBe(303));
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).lean();
    expect(accounts.map((a) => [a.platform, a.externalId])).toEqual([['youtube', ids[0]]]);
    await user.agent.get('/connect/nowhere').expect(404);
  });

  it('shows a revoked account as Token expired with the reason and a Reconnect link, and refuses to renew it', { timeout: 60_000 }, async () => {
    const user = await payingUser();
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'cut_off' });
    await connectX(user.agent, identity.id);
    const account = await web.db.models.Account.findOne({ ownerId: user.id }).lean();
    await web.sandbox.control.revoke('x', identity.id);

    await postForm(user.agent, `/connections/${account!._id}/refresh`, {}).then((r) => expect(r.status).toBe(303));
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toMatch(/flash flash-error[^>]*>@cut_off on X: [^<]*X/);
    expect(page.text).toMatch(new RegExp(`pill pill-danger[\\s\\S]*?@cut_off[\\s\\S]*?Token expired — <a href="/connect/x\\?reconnect=${account!._id}">Reconnect</a>`));
    expect(page.text).toContain('1 account needs your attention');

    // A stale page's renew button is answered by the workflow's validator, in its words.
    await postForm(user.agent, `/connections/${account!._id}/refresh`, {}).then((r) => expect(r.status).toBe(303));
    const refused = await user.agent.get('/connections').expect(200);
    expect(refused.text).toMatch(/@cut_off on X was not renewed: The token has expired \(X no longer accepts[^<]*\); reconnect instead\./);
  });
});
