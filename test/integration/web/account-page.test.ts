import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCommands, type CommandCounter } from '../../../db/command-counter.js';
import { connectDatabase } from '../../../db/connection.js';
import { createModels, ensureIndexes } from '../../../db/models/index.js';
import type { AccountEvent } from '../../../db/models/account-event.js';
import { approveConsent } from '../../../sandbox/client.js';
import { accountWorkflowId, refreshNowUpdate, revokedSignal } from '../../../workflows/account/messages.js';
import { formatDateTime } from '../../../services/phrasing/index.js';
import type { TestDatabase } from '../../helpers/integration.js';
import { waitFor } from '../../helpers/lifecycle.js';
import { penNamesOf, postForm, registerPayingUser, registerUser, useLiveWeb, webApp, type Agent, type TestUser } from './support.js';

// The account page: what an account went through, read from account_events, which the activities
// write once per (account, sequence); the page's queries do not grow with the events.

describe('web: the account page and its timeline', () => {
  const web = useLiveWeb();

  const connectX = async (agent: Agent, identity: string, reconnect?: string) => {
    const start = await agent.get(`/connect/x${reconnect ? `?reconnect=${reconnect}` : ''}`).expect(303);
    const redirect = new URL(await approveConsent(start.headers.location as string, { identity }));
    return agent.get(redirect.pathname + redirect.search).expect(303);
  };

  const eventsOf = (accountId: string) => web.db.models.AccountEvent.find({ accountId }).sort({ at: 1 }).lean();
  const kindsOf = (events: AccountEvent[]) => events.map((event) => event.kind);

  it('shows renewals, a revoke and a reconnect on the timeline, each event once; another user gets 404', { timeout: 120_000 }, async () => {
    const { user } = await registerPayingUser(web);
    await user.agent.get('/settings/notifications').expect(200);
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'timeline_tester' });
    await connectX(user.agent, identity.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean())!;
    await waitFor('connected', async () => (await eventsOf(account._id)).some((event) => event.kind === 'connected'));

    const handle = web.temporal.client.workflow.getHandle(accountWorkflowId(account._id));
    await handle.executeUpdate(refreshNowUpdate);
    await handle.executeUpdate(refreshNowUpdate);
    await web.sandbox.control.revoke('x', identity.id);
    await handle.signal(revokedSignal, { reason: { code: 'token_revoked', detail: 'X says this connection was revoked' } });
    await waitFor('deauthorized', async () => (await eventsOf(account._id)).some((event) => event.kind === 'deauthorized'));
    await waitFor('the expired notification', async () => (await eventsOf(account._id)).some((event) => event.kind === 'notificationSent' && event.notice === 'expired'));

    await connectX(user.agent, identity.id, account._id);
    await waitFor('reconnected', async () => (await eventsOf(account._id)).some((event) => event.kind === 'reconnected'));

    const kinds = kindsOf(await eventsOf(account._id));
    expect(kinds.filter((kind) => kind === 'connected')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'renewed')).toHaveLength(2);
    expect(kinds.filter((kind) => kind === 'deauthorized')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'reconnected')).toHaveLength(1);
    expect(kinds).toContain('postsPaused');
    expect(kinds).toContain('postsResumed');
    expect(kinds.indexOf('deauthorized')).toBeLessThan(kinds.indexOf('reconnected'));

    const page = await user.agent.get(`/connections/${account._id}`).expect(200);
    expect(page.text).toContain('@timeline_tester');
    expect(page.text).toMatch(/<strong>Active<\/strong>/);
    expect(page.text).toMatch(/<strong>Renewed<\/strong>: Token renewed; it now lasts until \d+ \w+ \d{4}, \d\d:\d\d UTC/);
    expect(page.text).toContain("<strong>Deauthorized by the platform</strong>: The platform ended Tether&#39;s access");
    expect(page.text).toContain('<strong>Reconnected</strong>');
    expect(page.text).toContain('<strong>Notification</strong>: Told you about the expiry on the dashboard');
    // The facts describe the grant (an X refresh token lasting months), not the two-hour access token.
    const status = (await web.db.models.Account.findById(account._id).lean())?.status;
    expect(status?.grantExpiresAt?.getTime()).toBeGreaterThan(status!.tokenExpiresAt!.getTime() + 30 * 86_400_000);
    expect(page.text).toContain(`<dt>Access ends</dt><dd>${formatDateTime(status!.grantExpiresAt!, 'UTC')}</dd>`);
    // The SVG: a red band for the expired stretch, a marker per event, range links.
    expect(page.text).toMatch(/<rect class="band-danger"/);
    expect(page.text).toMatch(/<rect class="band-ok"/);
    expect((page.text.match(/<circle class="marker-/g) ?? []).length).toBe(kinds.length);
    expect(page.text).toContain(`href="/connections/${account._id}?range=24h&amp;show=all#timeline"`);
    expect(page.text).not.toMatch(/<script/i);

    // Filters: only the status changes.
    const lifecycle = await user.agent.get(`/connections/${account._id}?range=all&show=lifecycle`).expect(200);
    expect(lifecycle.text).toContain('<strong>Reconnected</strong>');
    expect(lifecycle.text).not.toContain('<strong>Renewed</strong>');

    // The pill's handle leads here; a stranger cannot open it.
    expect((await user.agent.get('/connections').expect(200)).text).toContain(`href="/connections/${account._id}">@timeline_tester</a>`);
    const stranger = await registerUser(web);
    await stranger.agent.get(`/connections/${account._id}`).expect(404);
    await user.agent.get('/connections/no-such-account').expect(404);
  });

  it('offers a test post after a new connection, once', { timeout: 60_000 }, async () => {
    const { user } = await registerPayingUser(web);
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'fresh_one' });
    await connectX(user.agent, identity.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean())!;
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('@fresh_one is connected.</strong> Send a test post now');
    expect(page.text).toMatch(new RegExp(`id="test-post-offer-${account._id}"[\\s\\S]*?action="/connections/${account._id}/test-post"`));
    expect((await user.agent.get('/connections').expect(200)).text).not.toContain('is connected.</strong> Send a test post');
    // A reconnect is not a new connection: no offer.
    await connectX(user.agent, identity.id, account._id);
    expect((await user.agent.get('/connections').expect(200)).text).not.toContain('is connected.</strong> Send a test post');
  });

  it('does not silently add @bob when reconnecting @alice signs in as @bob; offers @bob as a new account', { timeout: 90_000 }, async () => {
    const { user } = await registerPayingUser(web);
    const alice = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'alice_w' });
    const bob = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'bob_w' });
    await connectX(user.agent, alice.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: alice.id }).lean())!;
    await waitFor('alice active', async () => (await web.db.models.Account.findById(account._id).lean())?.status?.state === 'active');
    await web.sandbox.control.revoke('x', alice.id);
    const handle = web.temporal.client.workflow.getHandle(accountWorkflowId(account._id));
    await handle.signal(revokedSignal, { reason: { code: 'token_revoked' } });
    await waitFor('alice expired', async () => (await web.db.models.Account.findById(account._id).lean())?.status?.state === 'expired');
    // The attention banner names the specific reason, not only the label.
    const banner = /<div class="banner banner-danger" role="alert">[\s\S]*?<\/div>/.exec((await user.agent.get('/connections').expect(200)).text)?.[0] ?? '';
    expect(banner).toMatch(new RegExp(`href="/connections/${account._id}">@alice_w</a> \\(Token expired: [^)]*revoked[^)]*\\)`, 'i'));

    const start = await user.agent.get(`/connect/x?reconnect=${account._id}`).expect(303);
    const redirect = new URL(await approveConsent(start.headers.location as string, { identity: bob.id }));
    const page = await user.agent.get(redirect.pathname + redirect.search).expect(409);
    expect(page.text).toContain('X signed you in as @bob_w, not @alice_w');
    expect(page.text).toContain('@alice_w is still token expired');
    expect(page.text).toContain('On x.com, open the account menu');
    expect(page.text).toContain(`href="/connect/x?reconnect=${account._id}"`);
    expect(await web.db.models.Account.countDocuments({ ownerId: user.id, externalId: bob.id })).toBe(0);
    expect((await web.db.models.Account.findById(account._id).lean())?.status?.state).toBe('expired');

    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    await user.agent.post('/connect/choose').type('form').send({ _csrf: token, target: bob.id }).expect(303).expect('location', '/connections');
    const added = await web.db.models.Account.findOne({ ownerId: user.id, externalId: bob.id }).lean();
    expect(added?.handle).toBe('bob_w');
    expect(added?._id).not.toBe(account._id);
    expect((await web.db.models.Account.findById(account._id).lean())?.status?.state).toBe('expired');
  });

  it('moves an account to another pen name of the same user, with its slot and identity', { timeout: 60_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const identity = await web.sandbox.control.createIdentity({ platform: 'x', handle: 'mover' });
    await connectX(user.agent, identity.id);
    const account = (await web.db.models.Account.findOne({ ownerId: user.id, externalId: identity.id }).lean())!;
    expect((await postForm(user.agent, '/pen-names', { name: 'Evening Notes' }, '/pen-names')).status).toBe(303);
    const evening = (await penNamesOf(web, user.id)).find((penName) => penName.name === 'Evening Notes')!;
    expect((await postForm(user.agent, '/pen-names/switch', { penNameId: owner.penNameId }, '/pen-names')).status).toBe(303);

    const page = await user.agent.get(`/connections/${account._id}`).expect(200);
    expect(page.text).toContain(`<option value="${evening._id}">Evening Notes</option>`);
    const moved = await postForm(user.agent, `/connections/${account._id}/move`, { penNameId: evening._id }, `/connections/${account._id}`);
    expect([moved.status, moved.headers.location]).toEqual([303, '/connections']);
    expect((await user.agent.get('/connections').expect(200)).text).toContain(`Moved @mover on X to Evening Notes.`);
    expect((await web.db.models.Account.findById(account._id).lean())?.penNameId).toBe(evening._id);
    expect(await web.db.models.AccountIdentity.findById(`${evening._id}:x:${identity.id}`).lean()).toMatchObject({ accountId: account._id });
    expect(await web.db.models.AccountIdentity.findById(`${owner.penNameId}:x:${identity.id}`).lean()).toBeNull();
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id, holder: `${evening._id}:x:${identity.id}` })).toBe(1);
    expect(await web.db.models.PlanSlot.countDocuments({ ownerId: user.id })).toBe(1);
    // Gone from the old pen name's pages, there in the new one's; a reconnect there is the same account.
    await user.agent.get(`/connections/${account._id}`).expect(404);
    expect((await postForm(user.agent, '/pen-names/switch', { penNameId: evening._id }, '/pen-names')).status).toBe(303);
    await user.agent.get(`/connections/${account._id}`).expect(200);
    await connectX(user.agent, identity.id, account._id);
    expect(await web.db.models.Account.countDocuments({ ownerId: user.id, externalId: identity.id })).toBe(1);

    // Another user's pen name is not a destination.
    const stranger = await registerPayingUser(web);
    const refused = await postForm(user.agent, `/connections/${account._id}/move`, { penNameId: stranger.owner.penNameId }, `/connections/${account._id}`);
    expect(refused.headers.location).toBe(`/connections/${account._id}`);
    expect((await user.agent.get(`/connections/${account._id}`).expect(200)).text).toContain('There is no such pen name.');
    expect((await web.db.models.Account.findById(account._id).lean())?.penNameId).toBe(evening._id);
  });

  it('lists what is coming up across the pen name, soonest first, linking to each account page', { timeout: 60_000 }, async () => {
    const { user, owner } = await registerPayingUser(web);
    const soon = new Date(Date.now() + 3600_000);
    const later = new Date(Date.now() + 5 * 3600_000);
    const base = { ownerId: owner.ownerId, penNameId: owner.penNameId, platform: 'x' as const, displayName: 'Someone', meta: {}, connectedAt: new Date() };
    const status = (nextAction: string, nextActionAt: Date, ends: { tokenExpiresAt?: Date; grantExpiresAt?: Date; lastCheckedAt?: Date } = {}) => ({
      state: 'active' as const,
      nextAction,
      nextActionAt,
      ...ends,
      queuePaused: false,
      sequence: 1,
      updatedAt: new Date(),
    });
    // Renew by need: an access token that ends between uses is not coming up, the grant's end is.
    const tokenEnd = new Date(Date.now() + 2 * 3600_000);
    const grantEnd = new Date(Date.now() + 3 * 3600_000);
    await web.db.models.Account.create([
      { ...base, _id: randomUUID(), externalId: randomUUID(), handle: 'later_one', status: status('validate', later) },
      { ...base, _id: randomUUID(), externalId: randomUUID(), handle: 'sooner_one', status: status('renew', soon, { tokenExpiresAt: tokenEnd, grantExpiresAt: grantEnd, lastCheckedAt: new Date() }) },
      { ...base, _id: randomUUID(), externalId: randomUUID(), handle: 'legacy_one', status: status('renew', new Date(later.getTime() + 60_000), { tokenExpiresAt: tokenEnd }) },
    ]);
    const page = await user.agent.get('/connections').expect(200);
    const section = /<section class="platform" id="coming-up"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
    const items = [...section.matchAll(/<a href="\/connections\/[^"]+">([^<]+)<\/a>/g)].map((match) => match[1]);
    expect(items).toEqual(['@sooner_one: Renews the token', '@legacy_one: Access ends', '@sooner_one: Access ends', '@later_one: Checks the token', '@legacy_one: Renews the token']);
  });
});

describe('web: the account page reads a fixed number of queries', () => {
  const web = useLiveWeb();
  let counter: CommandCounter;
  let measured: TestDatabase;

  beforeAll(async () => {
    const connection = await connectDatabase(web.config.mongo.uri, { monitorCommands: true });
    measured = { connection, models: createModels(connection), close: () => connection.close() };
    await ensureIndexes(measured.models);
    counter = countCommands(connection);
  });
  afterAll(async () => {
    counter?.stop();
    await measured?.close();
  });

  it('sends the same commands with 3 events and with 600', { timeout: 120_000 }, async () => {
    const app = webApp(web.config, measured);
    const user: TestUser = await registerUser({ app, db: measured });
    const penName = (await penNamesOf(web, user.id))[0]!;
    const accountId = randomUUID();
    await web.db.models.Account.create({
      _id: accountId, ownerId: user.id, penNameId: penName._id, platform: 'x', externalId: randomUUID(), handle: 'busy', displayName: 'Busy', meta: {}, connectedAt: new Date(Date.now() - 20 * 24 * 3600_000),
      status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: new Date() },
    });
    const add = async (from: number, count: number) => {
      const events = Array.from({ length: count }, (_, index) => {
        const sequence = `seed:${from + index}`;
        return { _id: `${accountId}:${sequence}`, accountId, sequence, kind: index % 2 ? 'renewed' : 'checked', at: new Date(Date.now() - (from + index) * 60_000), ...(index % 50 === 0 ? { state: 'active' } : {}) };
      });
      await web.db.models.AccountEvent.insertMany(events);
    };
    const measure = async () => {
      // Once unmeasured: the session's expiry write happens on some views only.
      await user.agent.get(`/connections/${accountId}?range=all`).expect(200);
      counter.reset();
      await user.agent.get(`/connections/${accountId}?range=all`).expect(200);
      return counter.count();
    };
    await add(0, 3);
    const few = await measure();
    await add(3, 597);
    const many = await measure();
    expect(many.byCommand).toEqual(few.byCommand);
    expect(few.byCommand['find account_events']).toBeGreaterThan(0);
  });
});
