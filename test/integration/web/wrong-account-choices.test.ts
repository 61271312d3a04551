import { describe, expect, it } from 'vitest';
import { approveConsent } from '../../../sandbox/client.js';
import { postForm, registerPayingUser, registerUser, useLiveWeb, type Agent } from './support.js';

// Reconnecting @alice and coming back as @bob connects nothing and offers @bob as new, on Bluesky
// (whose form is filled in with another account's handle and app password) and on the platforms
// whose login is followed by a choice (Facebook Pages here): the same page as for X.

describe('web: a reconnect that comes back as another account, with an app password or a choice step', () => {
  const web = useLiveWeb();

  const blueskyAccountOf = (ownerId: string, handle: string) => web.db.models.Account.findOne({ ownerId, platform: 'bluesky', handle }).lean();
  const callbackPath = (redirect: string) => {
    const url = new URL(redirect);
    return url.pathname + url.search;
  };
  const facebookLogin = async (agent: Agent, login: string, reconnect?: string) => {
    const start = await agent.get(`/connect/facebook${reconnect ? `?reconnect=${reconnect}` : ''}`).expect(303);
    return agent.get(callbackPath(await approveConsent(start.headers.location as string, { identity: login })));
  };

  it('Bluesky: the form keeps the account being reconnected; another account’s app password connects nothing and is offered as new', { timeout: 90_000 }, async () => {
    const { user } = await registerPayingUser(web);
    const alice = await web.sandbox.control.createBlueskyAccount({ handle: 'alice-w.bsky.social' });
    const bob = await web.sandbox.control.createBlueskyAccount({ handle: 'bob-w.bsky.social' });
    expect((await postForm(user.agent, '/connect/bluesky', { identifier: alice.handle, appPassword: alice.appPassword }, '/connect/bluesky')).status).toBe(303);
    const account = (await blueskyAccountOf(user.id, alice.handle))!;

    const reconnectPath = `/connect/bluesky?handle=${alice.handle}&reconnect=${account._id}`;
    const form = await user.agent.get(reconnectPath).expect(200);
    expect(form.text).toContain(`<input type="hidden" name="reconnect" value="${account._id}">`);
    const wrong = await postForm(user.agent, '/connect/bluesky', { identifier: bob.handle, appPassword: bob.appPassword, reconnect: account._id }, reconnectPath);
    expect(wrong.status).toBe(409);
    expect(wrong.text).toContain(`Bluesky signed you in as @${bob.handle}, not @${alice.handle}`);
    expect(wrong.text).toContain(`@${alice.handle} is still active`);
    expect(wrong.text).toContain('Bluesky app passwords belong to one account');
    expect(await blueskyAccountOf(user.id, bob.handle)).toBeNull();

    const token = /name="_csrf" value="([^"]+)"/.exec(wrong.text)?.[1] ?? '';
    const targetId = /name="target" value="([^"]+)"/.exec(wrong.text)?.[1] ?? '';
    await user.agent.post('/connect/choose').type('form').send({ _csrf: token, target: targetId }).expect(303).expect('location', '/connections');
    const added = await blueskyAccountOf(user.id, bob.handle);
    expect(added?._id).not.toBe(account._id);

    // The right account reconnects; a stranger's account id is not one to reconnect.
    const right = await postForm(user.agent, '/connect/bluesky', { identifier: alice.handle, appPassword: alice.appPassword, reconnect: account._id }, reconnectPath);
    expect(right.status).toBe(303);
    expect((await user.agent.get('/connections').expect(200)).text).toContain(`Reconnected @${alice.handle} on Bluesky`);
    const stranger = await registerPayingUser(web);
    const refused = await postForm(stranger.user.agent, '/connect/bluesky', { identifier: bob.handle, appPassword: bob.appPassword, reconnect: account._id }, '/connect/bluesky');
    expect(refused.status).toBe(404);
    expect(await web.db.models.Account.countDocuments({ ownerId: stranger.user.id })).toBe(0);
  });

  it('Facebook: a login without the Page being reconnected connects nothing and offers its own Pages through the choice step', { timeout: 90_000 }, async () => {
    const { user } = await registerPayingUser(web);
    expect((await facebookLogin(user.agent, '100000000000001')).headers.location).toBe('/connect/choose');
    expect((await postForm(user.agent, '/connect/choose', { target: '2000000000000011' }, '/connect/choose')).status).toBe(303);
    const page = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: '2000000000000011' }).lean())!;
    // As the page writes it: names are HTML-escaped.
    const pageName = page.handle.replace(/'/g, '&#39;');

    const wrong = await facebookLogin(user.agent, '100000000000002', page._id);
    expect(wrong.status).toBe(409);
    expect(wrong.text).toMatch(new RegExp(`Facebook signed you in as [^<]+, not ${pageName}`));
    expect(wrong.text).toContain(`${pageName} is still active`);
    expect(wrong.text).toContain('<a class="button" href="/connect/choose">Choose which to connect as new accounts</a>');
    expect(await web.db.models.Account.countDocuments({ ownerId: user.id })).toBe(1);

    const choose = await user.agent.get('/connect/choose').expect(200);
    expect([...choose.text.matchAll(/name="target" value="([^"]+)"/g)].map((m) => m[1])).toEqual(['2000000000000021', '2000000000000022']);
    expect((await postForm(user.agent, '/connect/choose', { target: '2000000000000021' }, '/connect/choose')).status).toBe(303);
    const accounts = await web.db.models.Account.find({ ownerId: user.id }).sort({ connectedAt: 1 }).lean();
    expect(accounts.map((account) => account.externalId)).toEqual(['2000000000000011', '2000000000000021']);

    // The login that manages the Page goes on to the choice step as before.
    const right = await facebookLogin(user.agent, '100000000000001', page._id);
    expect([right.status, right.headers.location]).toEqual([303, '/connect/choose']);
    const other = await registerUser(web);
    await other.agent.get(`/connect/facebook?reconnect=${page._id}`).expect(404);
  });
});
