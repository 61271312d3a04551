import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../web/session.js';
import { csrfToken, postForm, registerUser, useWeb } from './support.js';

// Redirects save the session first (so the next page sees a flash), but only a session the request
// changed: an anonymous visitor bounced from / to /login must not cost a session write.

describe('web: sessions around redirects', () => {
  const web = useWeb();

  const sessionCookieIn = (response: request.Response) =>
    ([] as string[]).concat(response.headers['set-cookie'] ?? []).some((line) => line.startsWith(`${SESSION_COOKIE}=`));

  it('stores no session and sets no cookie when an anonymous visitor is redirected', async () => {
    const before = await web.db.models.Session.countDocuments();
    for (let i = 0; i < 3; i += 1) {
      const response = await request(web.app).get('/').expect(303).expect('location', '/login');
      expect(sessionCookieIn(response)).toBe(false);
    }
    const guarded = await request(web.app).get('/connections').expect(303);
    expect(guarded.headers.location).toMatch(/^\/login/);
    expect(sessionCookieIn(guarded)).toBe(false);
    expect(await web.db.models.Session.countDocuments()).toBe(before);
  });

  it('still stores a session for a page with a form (its CSRF token)', async () => {
    const before = await web.db.models.Session.countDocuments();
    const response = await request(web.app).get('/login').expect(200);
    expect(sessionCookieIn(response)).toBe(true);
    expect(await web.db.models.Session.countDocuments()).toBe(before + 1);
  });

  it('shows the flash set before a redirect on the next page: after registering, a form post and logging out', async () => {
    const visitor = request.agent(web.app);
    const token = await csrfToken(visitor, '/register');
    const registered = await visitor.post('/register').type('form').send({ _csrf: token, name: 'Flash', email: 'flash@example.com', password: 'correct horse battery' });
    expect([registered.status, registered.headers.location]).toEqual([303, '/login']);
    expect((await visitor.get('/login').expect(200)).text).toContain('We sent an email to flash@example.com.');
    // Shown once.
    expect((await visitor.get('/login').expect(200)).text).not.toContain('We sent an email');

    const user = await registerUser(web);

    const marked = await postForm(user.agent, '/notifications/read-all', {}, '/notifications');
    expect([marked.status, marked.headers.location]).toEqual([303, '/notifications']);
    expect((await user.agent.get('/notifications').expect(200)).text).toContain('Nothing was unread.');

    const loggedOut = await postForm(user.agent, '/logout', {});
    expect([loggedOut.status, loggedOut.headers.location]).toEqual([303, '/login']);
    expect((await user.agent.get('/login').expect(200)).text).toContain('You are logged out.');
  });

  it('keeps a signed-in session across a redirect that changes nothing', async () => {
    const user = await registerUser(web);
    await user.agent.get('/').expect(303).expect('location', '/connections');
    await user.agent.get('/connections').expect(200);
  });
});
