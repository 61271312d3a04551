import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Notification, NotificationKind } from '../../../db/models/notification.js';
import { csrfToken, penNamesOf, postForm, registerUser, type TestUser, useWeb } from './support.js';

// The notifications page of the pen name being worked in, the header's unread count, marking
// read, and the email preferences form.

describe('web: notifications', () => {
  const web = useWeb();
  let alice: TestUser;
  let bob: TestUser;
  let alicesMain = '';
  let alicesSecond = '';
  beforeAll(async () => {
    alice = await registerUser(web, { name: 'Alice', penName: 'Alice Writes' });
    bob = await registerUser(web, { name: 'Bob', penName: 'Bob Cooks' });
    alicesMain = (await penNamesOf(web, alice.id))[0]!._id;
    expect((await postForm(alice.agent, '/pen-names', { name: 'Alice Travels' })).status).toBe(303);
    alicesSecond = (await penNamesOf(web, alice.id)).find((p) => p.name === 'Alice Travels')!._id;
    await switchTo(alice, alicesMain);
  });

  async function switchTo(user: TestUser, penNameId: string) {
    expect((await postForm(user.agent, '/pen-names/switch', { penNameId })).status).toBe(303);
  }

  let sequence = 0;
  async function notice(
    owner: TestUser,
    penNameId: string,
    input: { title: string; minutesAgo: number; at?: Date; read?: boolean; kind?: NotificationKind; reason?: { code: string; message: string } },
  ): Promise<Notification> {
    const accountId = randomUUID();
    const id = `${accountId}:${++sequence}`;
    const createdAt = input.at ?? new Date(Date.now() - input.minutesAgo * 60_000);
    const document: Notification = {
      _id: id,
      dedupeKey: id,
      ownerId: owner.id,
      penNameId,
      penName: 'whatever',
      accountId,
      platform: 'x',
      handle: 'someone',
      kind: input.kind ?? 'expired',
      title: input.title,
      body: `Body of ${input.title}.`,
      link: `/connections/${accountId}/reconnect`,
      ...(input.reason ? { reason: input.reason } : {}),
      createdAt,
      ...(input.read ? { readAt: new Date(createdAt.getTime() + 1000) } : {}),
      email: { state: 'skipped', attempts: 0 },
      webhook: { state: 'skipped', attempts: 0 },
    };
    await web.db.models.Notification.create(document);
    return document;
  }

  const headerCount = (html: string) => /<span class="count">(\d+)<\/span>/.exec(html)?.[1];
  const page = async (user: TestUser) => (await user.agent.get('/notifications').expect(200)).text;
  const readAt = async (id: string) => (await web.db.models.Notification.findById(id).lean())?.readAt;

  it('lists the current pen name’s notifications unread first, then newest first, each linking to its page', async () => {
    const oldUnread = await notice(alice, alicesMain, { title: 'Old unread', minutesAgo: 30, reason: { code: 'token_revoked', message: 'X says access was revoked' } });
    const newRead = await notice(alice, alicesMain, { title: 'New read', minutesAgo: 1, read: true, kind: 'reconnected' });
    const newUnread = await notice(alice, alicesMain, { title: 'New unread', minutesAgo: 10, kind: 'expiring' });
    const oldRead = await notice(alice, alicesMain, { title: 'Old read', minutesAgo: 60, read: true });
    await notice(alice, alicesSecond, { title: 'Travel notice', minutesAgo: 5 });
    await notice(bob, (await penNamesOf(web, bob.id))[0]!._id, { title: 'Bob notice', minutesAgo: 5 });

    const html = await page(alice);
    const order = ['New unread', 'Old unread', 'New read', 'Old read'].map((title) => html.indexOf(`>${title}</a>`));
    expect(order.every((position) => position > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).not.toContain('Travel notice');
    expect(html).not.toContain('Bob notice');
    expect(html).toContain(`<a href="/connections/${oldUnread.accountId}/reconnect">Old unread</a>`);
    expect(html).toContain('Body of Old unread.');
    expect(html).toContain('X says access was revoked');
    expect(html).toContain('<code>token_revoked</code>');
    expect(html).toContain(`datetime="${newUnread.createdAt.toISOString()}"`);
    // Only unread ones offer "Mark read".
    expect(html).toContain(`action="/notifications/${encodeURIComponent(newUnread._id)}/read"`);
    expect(html).not.toContain(`action="/notifications/${encodeURIComponent(newRead._id)}/read"`);
    expect(html).not.toContain(`action="/notifications/${encodeURIComponent(oldRead._id)}/read"`);
  });

  it("shows when each notification came in the reader's time zone", async () => {
    const dana = await registerUser(web, { name: 'Dana' });
    await web.db.models.User.updateOne({ _id: dana.id }, { $set: { timeZone: 'Asia/Kolkata' } });
    await notice(dana, (await penNamesOf(web, dana.id))[0]!._id, { title: 'Far ahead', minutesAgo: 0, at: new Date('2031-03-30T01:30:00Z') });
    const html = await page(dana);
    expect(html).toContain('<time datetime="2031-03-30T01:30:00.000Z">30 Mar 2031, 07:00 Asia/Kolkata</time>');
  });

  it('shows the current pen name’s unread count in the header of every page', async () => {
    expect(headerCount(await page(alice))).toBe('2');
    expect(headerCount((await alice.agent.get('/billing').expect(200)).text)).toBe('2');
    await switchTo(alice, alicesSecond);
    expect(headerCount((await alice.agent.get('/pen-names').expect(200)).text)).toBe('1');
    await switchTo(alice, alicesMain);
    const fresh = await registerUser(web, { name: 'Cleo' });
    const clean = (await fresh.agent.get('/connections').expect(200)).text;
    expect(clean).toContain('href="/notifications"');
    expect(headerCount(clean)).toBeUndefined();
    expect(await page(fresh)).toContain('No notifications yet.');
  });

  it('counts the header figures for page views only: not for a form post that redirects, nor a JSON answer', async () => {
    const token = await csrfToken(alice.agent, '/billing');
    const unreadCounts = vi.spyOn(web.db.models.Notification, 'countDocuments');
    const attentionCounts = vi.spyOn(web.db.models.Account, 'countDocuments');
    try {
      await alice.agent.post('/pen-names/switch').type('form').send({ _csrf: token, penNameId: alicesMain }).expect(303);
      await alice.agent.get('/no-such-page').set('Accept', 'application/json').expect(404);
      expect([unreadCounts.mock.calls.length, attentionCounts.mock.calls.length]).toEqual([0, 0]);
      expect(headerCount((await alice.agent.get('/billing').expect(200)).text)).toBe('2');
      expect([unreadCounts.mock.calls.length, attentionCounts.mock.calls.length]).toEqual([1, 1]);
    } finally {
      unreadCounts.mockRestore();
      attentionCounts.mockRestore();
    }
  });

  it('marks one notification read, once, and the count follows', async () => {
    const target = await notice(alice, alicesMain, { title: 'To read', minutesAgo: 2 });
    expect(headerCount(await page(alice))).toBe('3');
    const marked = await postForm(alice.agent, `/notifications/${encodeURIComponent(target._id)}/read`, {}, '/notifications');
    expect(marked.status).toBe(303);
    expect(marked.headers.location).toBe('/notifications');
    const first = await readAt(target._id);
    expect(first).toBeInstanceOf(Date);
    const html = await page(alice);
    expect(headerCount(html)).toBe('2');
    expect(html).not.toContain(`action="/notifications/${encodeURIComponent(target._id)}/read"`);
    // Marking again changes nothing.
    expect((await postForm(alice.agent, `/notifications/${encodeURIComponent(target._id)}/read`, {}, '/notifications')).status).toBe(303);
    expect(await readAt(target._id)).toEqual(first);
  });

  it('answers another user’s, another pen name’s or an unknown notification with 404, changing nothing', async () => {
    const bobs = await notice(bob, (await penNamesOf(web, bob.id))[0]!._id, { title: 'Bob private', minutesAgo: 1 });
    const travel = await notice(alice, alicesSecond, { title: 'Other pen name', minutesAgo: 1 });
    for (const id of [bobs._id, travel._id, `${randomUUID()}:1`]) {
      const response = await postForm(alice.agent, `/notifications/${encodeURIComponent(id)}/read`, {}, '/notifications');
      expect(response.status).toBe(404);
      expect(response.text).toContain('There is no such notification.');
    }
    expect(await readAt(bobs._id)).toBeUndefined();
    expect(await readAt(travel._id)).toBeUndefined();
    const tooLong = await postForm(alice.agent, `/notifications/${'x'.repeat(201)}/read`, {}, '/notifications');
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('Notification id: is not a notification id');
  });

  it('marks all of the current pen name read, and only those', async () => {
    const travel = await notice(alice, alicesSecond, { title: 'Stays unread', minutesAgo: 1 });
    const bobs = await notice(bob, (await penNamesOf(web, bob.id))[0]!._id, { title: 'Bob stays unread', minutesAgo: 1 });
    expect(headerCount(await page(alice))).toBe('2');
    const done = await postForm(alice.agent, '/notifications/read-all', {}, '/notifications');
    expect(done.status).toBe(303);
    const html = await page(alice);
    expect(html).toContain('Marked 2 notifications read.');
    expect(headerCount(html)).toBeUndefined();
    expect(html).not.toContain('Mark all read');
    expect(await web.db.models.Notification.countDocuments({ ownerId: alice.id, penNameId: alicesMain, readAt: { $exists: false } })).toBe(0);
    expect(await readAt(travel._id)).toBeUndefined();
    expect(await readAt(bobs._id)).toBeUndefined();
  });

  it('shows at most 50, unread ones first, and says so', async () => {
    const busy = await registerUser(web, { name: 'Busy' });
    const penNameId = (await penNamesOf(web, busy.id))[0]!._id;
    for (let i = 0; i < 52; i += 1) await notice(busy, penNameId, { title: `Read ${i}`, minutesAgo: i, read: true });
    await notice(busy, penNameId, { title: 'Oldest but unread', minutesAgo: 1000 });
    const html = await page(busy);
    expect(html.match(/id="notification-/g)).toHaveLength(50);
    expect(html).toContain('Showing the 50 most relevant of 53 notifications');
    expect(html.indexOf('>Oldest but unread</a>')).toBeLessThan(html.indexOf('>Read 0</a>'));
    expect(html).toContain('>Read 48</a>');
    expect(html).not.toContain('>Read 49</a>');
  });

  describe('email preferences', () => {
    const settings = async (user: TestUser) => (await user.agent.get('/settings/notifications').expect(200)).text;
    const isChecked = (html: string, kind: string) => new RegExp(`id="pref-${kind}"[^>]*checked`).test(html);
    const stored = async (user: TestUser) => (await web.db.models.User.findById(user.id).lean())?.emailNotifications;

    it('starts with problems and recoveries on, reconnections off', async () => {
      const html = await settings(alice);
      expect(html).toContain(alice.email);
      for (const kind of ['expiring', 'expired', 'disconnected', 'recovered']) expect(isChecked(html, kind)).toBe(true);
      expect(isChecked(html, 'reconnected')).toBe(false);
      expect(await stored(alice)).toEqual({ expiring: true, expired: true, disconnected: true, recovered: true, reconnected: false });
    });

    it('saves the boxes as ticked', async () => {
      const saved = await postForm(alice.agent, '/settings/notifications', { expiring: 'on', reconnected: 'on' }, '/settings/notifications');
      expect(saved.status).toBe(303);
      expect(saved.headers.location).toBe('/settings/notifications');
      expect(await stored(alice)).toEqual({ expiring: true, expired: false, disconnected: false, recovered: false, reconnected: true });
      const html = await settings(alice);
      expect(html).toContain('Email preferences saved.');
      expect(isChecked(html, 'expiring')).toBe(true);
      expect(isChecked(html, 'expired')).toBe(false);
      expect(isChecked(html, 'reconnected')).toBe(true);
    });

    it('refuses a value other than a ticked box with 400 naming the field, saving nothing', async () => {
      const before = await stored(alice);
      const refused = await postForm(alice.agent, '/settings/notifications', { expiring: 'on', expired: 'maybe' }, '/settings/notifications');
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('Stopped accounts: must be checked (&#34;on&#34;) or left out');
      expect(refused.text).toContain('id="expired-error"');
      expect(await stored(alice)).toEqual(before);
    });

    it('keeps one user’s preferences apart from another’s', async () => {
      expect(isChecked(await settings(bob), 'expired')).toBe(true);
    });
  });

  it('refuses every change without the CSRF token', async () => {
    const target = await notice(alice, alicesMain, { title: 'Token test', minutesAgo: 1 });
    const before = (await web.db.models.User.findById(alice.id).lean())?.emailNotifications;
    await csrfToken(alice.agent, '/notifications');
    await alice.agent.post(`/notifications/${encodeURIComponent(target._id)}/read`).type('form').send({}).expect(403);
    await alice.agent.post('/notifications/read-all').type('form').send({}).expect(403);
    await alice.agent.post('/settings/notifications').type('form').send({ expired: 'on' }).expect(403);
    expect(await readAt(target._id)).toBeUndefined();
    expect((await web.db.models.User.findById(alice.id).lean())?.emailNotifications).toEqual(before);
  });

  it('sends visitors to login', async () => {
    await request(web.app).get('/notifications').expect(303).expect('location', '/login?next=%2Fnotifications');
    await request(web.app).get('/settings/notifications').expect(303).expect('location', '/login?next=%2Fsettings%2Fnotifications');
  });
});
