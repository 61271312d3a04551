import { createHmac } from 'node:crypto';
import session from 'express-session';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../web/session.js';
import { csrfToken, csrfTokenIn, registerUser, webApp, useWeb } from './support.js';

function sessionCookie(response: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (response.headers['set-cookie'] as string[] | undefined) ?? [];
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
}

describe('web: register, log in, log out', () => {
  const web = useWeb();

  it('serves the login page with a CSRF token, strict security headers and a safe session cookie', async () => {
    const response = await request(web.app).get('/login').expect(200);
    expect(csrfTokenIn(response.text)).toMatch(/^[0-9a-f]{64}$/);
    const csp = response.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const cookie = sessionCookie(response);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // not production
    expect(response.text).toContain(`mailto:${web.config.web.supportEmail}`);
    await request(web.app).get('/static/tether.css').expect(200).expect('content-type', /text\/css/);
  });

  it('marks the session cookie Secure in production', async () => {
    const production = webApp({ ...web.config, env: 'production' }, web.db);
    const response = await request(production).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
    expect(sessionCookie(response)).toMatch(/Secure/);
    expect(response.headers['strict-transport-security']).toContain('max-age=');
  });

  it('sends visitors to /login and logged-in users to /connections from the home page', async () => {
    await request(web.app).get('/').expect(303).expect('location', '/login');
    const user = await registerUser(web);
    await user.agent.get('/').expect(303).expect('location', '/connections');
  });

  it('registers a user with a scrypt hash (N=2^17), the default plan and a first pen name, and logs them in once confirmed', async () => {
    const user = await registerUser(web, { name: 'Grace', penName: 'Morning Notes' });
    const stored = await web.db.models.User.findById(user.id).lean();
    expect(stored?.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(user.password);
    expect(stored?.plan).toBe(web.config.plans.defaultPlan);
    const page = await user.agent.get('/connections').expect(200);
    expect(page.text).toContain('<h1>Connections</h1>');
    expect(page.text).toContain('Morning Notes');
    expect(page.text).toContain('Grace');
  });

  it('answers bad registration input with 400 naming each field, keeping what was typed but not the password', async () => {
    const agent = request.agent(web.app);
    const token = await csrfToken(agent, '/register');
    const response = await agent.post('/register').type('form').send({ _csrf: token, name: '<b>x</b>', email: 'not-an-email', password: 'short' }).expect(400);
    expect(response.text).toContain('Email: enter an address like name@example.com');
    expect(response.text).toContain('Password: must be at least 10 characters');
    expect(response.text).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(response.text).not.toContain('value="short"');
    expect(await web.db.models.User.countDocuments({ email: 'not-an-email' })).toBe(0);
  });

  it('answers a second registration with the same email (any case) exactly as a new one, and keeps one account', async () => {
    const first = await registerUser(web);
    const answers = [];
    for (const email of [first.email.toUpperCase(), `new-${first.email}`]) {
      const agent = request.agent(web.app);
      const token = await csrfToken(agent, '/register');
      const response = await agent.post('/register').type('form').send({ _csrf: token, name: 'Other', email, password: 'another long password' }).expect(303);
      const next = await agent.get(response.headers.location!).expect(200);
      answers.push({ location: response.headers.location, page: next.text.replace(email.toLowerCase(), '<email>').replace(/value="[0-9a-f]{64}"/g, '') });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.page).toContain('We sent an email to <email>');
    expect(await web.db.models.User.countDocuments({ email: first.email })).toBe(1);
    expect((await web.db.models.User.findOne({ email: first.email }).lean())?.name).toBe(first.name);
  });

  it('logs in with the right password, regenerating the session, and refuses wrong or unknown credentials', async () => {
    const user = await registerUser(web);
    const agent = request.agent(web.app);
    const loginPage = await agent.get('/login').expect(200);
    const before = sessionCookie(loginPage)!.split(';')[0]!;
    const token = csrfTokenIn(loginPage.text);

    const wrong = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: 'wrong password!' }).expect(401);
    expect(wrong.text).toContain('Email or password is incorrect.');
    const unknown = await agent.post('/login').type('form').send({ _csrf: token, email: 'nobody@example.com', password: 'whatever123' }).expect(401);
    expect(unknown.text).toContain('Email or password is incorrect.');

    const ok = await agent.post('/login').type('form').send({ _csrf: token, email: user.email.toUpperCase(), password: user.password }).expect(303);
    expect(ok.headers.location).toBe('/connections');
    const after = sessionCookie(ok)!.split(';')[0]!;
    expect(after).not.toBe(before);
    await agent.get('/connections').expect(200);
    // The pre-login session id was replaced, not promoted: presenting it is not logged in.
    await request(web.app).get('/connections').set('Cookie', before).expect(303).expect('location', '/login?next=%2Fconnections');
  });

  it('answers missing login fields with 400 naming them', async () => {
    const agent = request.agent(web.app);
    const token = await csrfToken(agent);
    const response = await agent.post('/login').type('form').send({ _csrf: token }).expect(400);
    expect(response.text).toContain('Email: is required');
    expect(response.text).toContain('Password: is required');
  });

  it('returns to the page that asked for login, but never to another site', async () => {
    const user = await registerUser(web);
    const agent = request.agent(web.app);
    const redirect = await agent.get('/billing').expect(303);
    expect(redirect.headers.location).toBe('/login?next=%2Fbilling');
    const page = await agent.get(redirect.headers.location!).expect(200);
    expect(page.text).toContain('name="next" value="/billing"');
    const token = csrfTokenIn(page.text);
    await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password, next: '/billing' }).expect(303).expect('location', '/billing');

    const other = request.agent(web.app);
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      // (The token is fetched before the POST is built: an agent attaches its cookies when a request is created.)
      const loginToken = await csrfToken(other);
      await other.post('/login').type('form').send({ _csrf: loginToken, email: user.email, password: user.password, next }).expect(303).expect('location', '/connections');
      const logoutToken = await csrfToken(other, '/connections');
      await other.post('/logout').type('form').send({ _csrf: logoutToken }).expect(303);
    }
  });

  it('refuses state-changing requests without the session CSRF token', async () => {
    const user = await registerUser(web);
    const agent = request.agent(web.app);
    await agent.get('/login').expect(200);
    const missing = await agent.post('/login').type('form').send({ email: user.email, password: user.password }).expect(403);
    expect(missing.text).toContain('This form expired or did not come from Tether');
    // A token from another session is no good either.
    const foreign = await csrfToken(request.agent(web.app));
    await agent.post('/login').type('form').send({ _csrf: foreign, email: user.email, password: user.password }).expect(403);
    await user.agent.post('/logout').type('form').send({}).expect(403);
    await user.agent.post('/register').type('form').send({ name: 'x', email: 'x@example.com', password: 'long enough pw' }).expect(403);
    await user.agent.get('/connections').expect(200); // still logged in
  });

  it('logs out with a POST carrying the token, ending the session', async () => {
    const user = await registerUser(web);
    const token = await csrfToken(user.agent, '/connections');
    const response = await user.agent.post('/logout').type('form').send({ _csrf: token }).expect(303);
    expect(response.headers.location).toBe('/login');
    await user.agent.get('/connections').expect(303);
    const login = await user.agent.get('/login').expect(200);
    expect(login.text).toContain('You are logged out.');
    await user.agent.get('/logout').expect(404);
  });

  it('stores sessions in MongoDB without a TTL index', async () => {
    await registerUser(web);
    const sessions = web.db.connection.collection('sessions');
    expect(await sessions.countDocuments()).toBeGreaterThan(0);
    const indexes = await sessions.indexes();
    expect(indexes.some((index) => 'expireAfterSeconds' in index)).toBe(false);
  });

  it('never shows a stack trace: a failure is a 500 page with a plain message', async () => {
    const sid = 'some-session-id';
    const signed = `s:${sid}.${createHmac('sha256', web.config.web.sessionSecret).update(sid).digest('base64').replace(/=+$/, '')}`;
    class BrokenStore extends session.Store {
      override get(_sid: string, callback: (error: unknown) => void) {
        callback(new Error('store exploded at /secret/path.ts:12'));
      }
      override set(_sid: string, _session: session.SessionData, callback?: (error?: unknown) => void) {
        callback?.(new Error('store exploded'));
      }
      override destroy(_sid: string, callback?: (error?: unknown) => void) {
        callback?.();
      }
    }
    const broken = webApp(web.config, web.db, { sessionStore: new BrokenStore() });
    const response = await request(broken).get('/login').set('Cookie', `${SESSION_COOKIE}=${encodeURIComponent(signed)}`).expect(500);
    expect(response.text).toContain('Something went wrong');
    expect(response.text).not.toMatch(/exploded|secret|\bat \S+:\d+/);
    const json = await request(web.app).post('/diagnostics/roundtrip').set('Content-Type', 'application/json').send('{bad').expect(400);
    expect(JSON.stringify(json.body)).not.toMatch(/SyntaxError|\bat \S+:\d+/);
  });

  it('answers unknown pages with a 404 page', async () => {
    const response = await request(web.app).get('/no-such-page').expect(404);
    expect(response.text).toContain('There is no such page.');
  });
});

describe('web: login rate limit', () => {
  const web = useWeb({}, { loginLimits: { windowMs: 60_000, perAccount: 3, perAddress: 100, perEmail: 5 } });

  it('refuses further attempts for an email after too many failures, even with the right password', async () => {
    const user = await registerUser(web);
    const agent = request.agent(web.app);
    const token = await csrfToken(agent);
    for (let attempt = 0; attempt < 3; attempt++) {
      await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: `wrong-${attempt}-password` }).expect(401);
    }
    const limited = await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(429);
    expect(limited.text).toContain('Too many failed attempts');
    // Another email from the same address is still allowed.
    const other = await registerUser(web);
    await agent.post('/login').type('form').send({ _csrf: token, email: other.email, password: other.password }).expect(303);
  });

  it('shares the count between web instances on one database (scale-out)', async () => {
    const user = await registerUser(web);
    const second = webApp(web.config, web.db, { loginLimits: { windowMs: 60_000, perAccount: 3, perAddress: 100, perEmail: 5 } });
    for (const [attempt, app] of [web.app, second, web.app].entries()) {
      const agent = request.agent(app);
      const token = await csrfToken(agent);
      await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: `wrong-${attempt}-password` }).expect(401);
    }
    const agent = request.agent(second);
    const token = await csrfToken(agent);
    await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(429);
  });

  it('limits failures per email across client addresses too (a distributed guess at one account)', async () => {
    const user = await registerUser(web);
    // Behind the proxy (trusted on loopback), X-Forwarded-For names the client address.
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = request.agent(web.app);
      const token = await csrfToken(agent);
      await agent.post('/login').set('X-Forwarded-For', `203.0.113.${attempt + 1}`).type('form').send({ _csrf: token, email: user.email, password: `wrong-${attempt}-password` }).expect(401);
    }
    const agent = request.agent(web.app);
    const token = await csrfToken(agent);
    const limited = await agent.post('/login').set('X-Forwarded-For', '198.51.100.7').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(429);
    expect(limited.text).toContain('Too many failed attempts');
    // Other accounts from that address are not affected.
    const other = await registerUser(web);
    await agent.post('/login').set('X-Forwarded-For', '198.51.100.7').type('form').send({ _csrf: token, email: other.email, password: other.password }).expect(303);
  });

  it('does not count successful logins', async () => {
    const user = await registerUser(web);
    for (let attempt = 0; attempt < 5; attempt++) {
      const agent = request.agent(web.app);
      const token = await csrfToken(agent);
      await agent.post('/login').type('form').send({ _csrf: token, email: user.email, password: user.password }).expect(303);
    }
  });
});
