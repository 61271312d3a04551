import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrfToken, penNamesOf, postForm, registerUser, type TestUser, useWeb } from './support.js';

describe('web: pen names', () => {
  const web = useWeb();
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    alice = await registerUser(web, { name: 'Alice', penName: 'Alice Writes' });
    bob = await registerUser(web, { name: 'Bob', penName: 'Bob Cooks' });
  });

  const current = async (user: TestUser) => (await user.agent.get('/connections').expect(200)).text;

  it('gives a new user the pen name chosen at registration (or their name) and shows it in the header switcher', async () => {
    expect((await penNamesOf(web, alice.id)).map((p) => p.name)).toEqual(['Alice Writes']);
    const unnamed = await registerUser(web, { name: 'Cleo' });
    expect((await penNamesOf(web, unnamed.id)).map((p) => p.name)).toEqual(['Cleo']);
    const page = await current(alice);
    expect(page).toContain('<strong>Alice Writes</strong>');
    expect(page).toContain('action="/pen-names/switch"');
    expect(page).not.toContain('Bob Cooks');
  });

  it('lists only the user’s own pen names', async () => {
    const page = await alice.agent.get('/pen-names').expect(200);
    expect(page.text).toContain('Alice Writes');
    expect(page.text).not.toContain('Bob Cooks');
  });

  it('creates a pen name and switches to it; refuses duplicates and blanks with 400 naming the field', async () => {
    const created = await postForm(alice.agent, '/pen-names', { name: 'Alice Travels' });
    expect(created.status).toBe(303);
    expect(await current(alice)).toContain('<strong>Alice Travels</strong>');
    const duplicate = await postForm(alice.agent, '/pen-names', { name: 'Alice Travels' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.text).toContain('Pen name: you already have one called &#34;Alice Travels&#34;');
    const blank = await postForm(alice.agent, '/pen-names', { name: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('Pen name: is required');
    // Another user may use the same name.
    expect((await postForm(bob.agent, '/pen-names', { name: 'Alice Travels' })).status).toBe(303);
  });

  it('switches between own pen names and back to the page the switch came from', async () => {
    const [first] = await penNamesOf(web, alice.id);
    const switched = await postForm(alice.agent, '/pen-names/switch', { penNameId: first!._id, next: '/billing' });
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe('/billing');
    expect(await current(alice)).toContain('<strong>Alice Writes</strong>');
    const offsite = await postForm(alice.agent, '/pen-names/switch', { penNameId: first!._id, next: '//evil.example' });
    expect(offsite.headers.location).toBe('/connections');
  });

  it('answers another user’s or an unknown pen name id with 404 and a malformed one with 400, changing nothing', async () => {
    const [bobs] = await penNamesOf(web, bob.id);
    const before = await current(alice);
    expect((await postForm(alice.agent, '/pen-names/switch', { penNameId: bobs!._id })).status).toBe(404);
    expect((await postForm(alice.agent, '/pen-names/switch', { penNameId: randomUUID() })).status).toBe(404);
    const malformed = await postForm(alice.agent, '/pen-names/switch', { penNameId: 'nope' });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('Pen name: must be a pen name id');
    expect(await current(alice)).toBe(before);

    expect((await postForm(alice.agent, `/pen-names/${bobs!._id}/rename`, { name: 'Stolen' })).status).toBe(404);
    expect((await postForm(alice.agent, `/pen-names/${bobs!._id}/delete`, {})).status).toBe(404);
    expect((await postForm(alice.agent, `/pen-names/${randomUUID()}/rename`, { name: 'Ghost' })).status).toBe(404);
    const badId = await postForm(alice.agent, '/pen-names/not-an-id/delete', {});
    expect(badId.status).toBe(400);
    expect(badId.text).toContain('Pen name id: must be a pen name id');
    expect((await penNamesOf(web, bob.id))[0]!.name).toBe('Bob Cooks');
  });

  it('renames own pen names, refusing a name already used', async () => {
    const mine = await penNamesOf(web, alice.id);
    const renamed = await postForm(alice.agent, `/pen-names/${mine[0]!._id}/rename`, { name: 'Alice Writes Daily' });
    expect(renamed.status).toBe(303);
    expect((await penNamesOf(web, alice.id))[0]!.name).toBe('Alice Writes Daily');
    const clash = await postForm(alice.agent, `/pen-names/${mine[0]!._id}/rename`, { name: mine[1]!.name });
    expect(clash.status).toBe(400);
    expect(clash.text).toContain('Pen name: you already have one called');
    const tooLong = await postForm(alice.agent, `/pen-names/${mine[0]!._id}/rename`, { name: 'x'.repeat(61) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('Pen name: must be at most 60 characters');
  });

  it('deletes a pen name without connected accounts, never the last one or one with accounts', async () => {
    const user = await registerUser(web, { name: 'Dee' });
    const [only] = await penNamesOf(web, user.id);
    const last = await postForm(user.agent, `/pen-names/${only!._id}/delete`, {});
    expect(last.status).toBe(409);
    expect(last.text).toContain('this is your only pen name');

    expect((await postForm(user.agent, '/pen-names', { name: 'Second' })).status).toBe(303);
    const second = (await penNamesOf(web, user.id)).find((p) => p.name === 'Second')!;
    await web.db.models.Account.create({
      _id: randomUUID(),
      ownerId: user.id,
      penNameId: second._id,
      platform: 'x',
      externalId: '1',
      handle: 'dee',
      displayName: 'Dee',
      connectedAt: new Date(),
    });
    const busy = await postForm(user.agent, `/pen-names/${second._id}/delete`, {});
    expect(busy.status).toBe(409);
    expect(busy.text).toContain('it has 1 connected account; disconnect them first');

    await web.db.models.Account.updateMany({ penNameId: second._id }, { $set: { disconnectedAt: new Date() } });
    expect((await postForm(user.agent, `/pen-names/${second._id}/delete`, {})).status).toBe(303);
    expect((await penNamesOf(web, user.id)).map((p) => p.name)).toEqual(['Dee']);
    expect(await current(user)).toContain('<strong>Dee</strong>');
  });

  it('refuses pen name changes without the CSRF token', async () => {
    const [mine] = await penNamesOf(web, alice.id);
    await csrfToken(alice.agent, '/connections');
    await alice.agent.post('/pen-names').type('form').send({ name: 'No Token' }).expect(403);
    await alice.agent.post('/pen-names/switch').type('form').send({ penNameId: mine!._id }).expect(403);
    await alice.agent.post(`/pen-names/${mine!._id}/rename`).type('form').send({ name: 'No Token' }).expect(403);
    await alice.agent.post(`/pen-names/${mine!._id}/delete`).type('form').send({}).expect(403);
    expect((await penNamesOf(web, alice.id)).some((p) => p.name === 'No Token')).toBe(false);
  });

  it('sends visitors to login', async () => {
    const { default: request } = await import('supertest');
    await request(web.app).get('/pen-names').expect(303).expect('location', '/login?next=%2Fpen-names');
  });
});
