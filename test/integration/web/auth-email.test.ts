import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/auth/passwords.js';
import { createAuthTokens } from '../../../services/auth/tokens.js';
import { createMailer } from '../../../services/mailer.js';
import { linkIn, startMailCatcher, type MailCatcher } from '../../../tools/mail-catcher.js';
import { csrfToken, logInAs, registerUser, startWeb, type Agent, type WebHarness } from './support.js';

// Confirming an address and resetting a password, over HTTP with a real SMTP server catching the
// email: the links are read from the messages a user would get.

const PASSWORD = 'correct horse battery';

describe('web: confirmed addresses and password reset by email', () => {
  let web: WebHarness;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = await startMailCatcher();
    web = await startWeb({ EMAIL_FROM: 'Tether <no-reply@tether.example>' }, { mailer: createMailer({ smtpUrl: mail.url, from: 'unused' }) });
  });
  afterAll(async () => {
    await web?.close();
    await mail?.close();
  });

  const newEmail = () => `${randomUUID().slice(0, 8)}@example.com`;
  const mailTo = (email: string, subject: RegExp) => mail.waitFor((m) => m.to.includes(email) && subject.test(m.subject));
  const pathOf = (link: string) => {
    const url = new URL(link);
    expect(url.origin).toBe(web.config.web.publicUrl);
    return `${url.pathname}${url.search}`;
  };

  async function signUp(email: string, agent: Agent = request.agent(web.app)) {
    const token = await csrfToken(agent, '/register');
    const response = await agent.post('/register').type('form').send({ _csrf: token, name: 'Nadia', email, password: PASSWORD, penName: '' }).expect(303);
    expect(response.headers.location).toBe('/login');
    return agent;
  }

  async function failedLogin(agent: Agent, email: string, password = PASSWORD) {
    const token = await csrfToken(agent, '/login');
    const response = await agent.post('/login').type('form').send({ _csrf: token, email, password }).expect(401);
    expect(response.text).toContain('Email or password is incorrect.');
  }

  it('sends a confirmation link; the account logs in only after it is followed, once', async () => {
    const email = newEmail();
    const agent = await signUp(email);
    const afterSignUp = await agent.get('/login').expect(200);
    expect(afterSignUp.text).toContain(`We sent an email to ${email}. Open the link in it to confirm your address`);

    // Before confirming, the right password gets the same answer as a wrong one.
    await failedLogin(agent, email);
    const message = await mailTo(email, /^Confirm your email address/);
    expect(message.from).toContain('no-reply@tether.example');
    expect(message.text).toContain('works once, for 48 hours');
    const link = linkIn(message, `${web.config.web.publicUrl}/verify-email?token=`);
    expect(await web.db.models.AuthToken.countDocuments({ _id: { $regex: 'verify' } })).toBe(0); // only hashes are stored

    await agent.get(pathOf(link)).expect(303).expect('location', '/login');
    expect((await agent.get('/login').expect(200)).text).toContain(`Your address ${email} is confirmed. Log in to start.`);
    expect((await web.db.models.User.findOne({ email }).lean())?.emailVerifiedAt).toBeInstanceOf(Date);
    // Following the link does not log anyone in (the link may be someone else's sign-up).
    await agent.get('/connections').expect(303);
    await logInAs(agent, email, PASSWORD);

    const again = await request(web.app).get(pathOf(link)).expect(400);
    expect(again.text).toContain('This link was already used.');
    expect(again.text).toContain('href="/verify-email/resend"');
  });

  it('answers registration with a known address the same as a new one, and emails the owner instead of creating anything', async () => {
    const owner = await registerUser(web);
    const answers: string[] = [];
    for (const email of [owner.email, newEmail()]) {
      const agent = await signUp(email);
      answers.push((await agent.get('/login').expect(200)).text.replace(email, '<email>').replace(/value="[0-9a-f]{64}"/g, ''));
    }
    expect(answers[0]).toBe(answers[1]);
    const notice = await mailTo(owner.email, /^You already have a Tether account/);
    expect(notice.text).toContain(`${web.config.web.publicUrl}/password/forgot`);
    expect(await web.db.models.User.countDocuments({ email: owner.email })).toBe(1);
    // The owner's password is untouched.
    await logInAs(request.agent(web.app), owner.email, owner.password);
  });

  it('refuses tampered, expired and foreign links, naming the problem, and a missing token naming the field', async () => {
    const email = newEmail();
    await signUp(email);
    const link = pathOf(linkIn(await mailTo(email, /^Confirm/), `${web.config.web.publicUrl}/verify-email?token=`));
    const token = new URL(link, 'http://x').searchParams.get('token')!;
    const [payload, signature] = token.split('.') as [string, string];

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { u: string };
    const forged = Buffer.from(JSON.stringify({ ...claims, u: randomUUID() })).toString('base64url');
    for (const bad of [`${forged}.${signature}`, `${payload}.${signature.slice(0, -2)}`, 'garbage', `${payload}.${signature}.x`]) {
      const response = await request(web.app).get(`/verify-email?token=${encodeURIComponent(bad)}`).expect(400);
      expect(response.text).toContain('This link is not valid');
    }
    const missing = await request(web.app).get('/verify-email').expect(400);
    expect(missing.text).toContain('Link: is missing; open the link from the email again');

    // A token signed with this server's key but past its expiry.
    const tokens = createAuthTokens(web.db.models, web.config.web.sessionSecret, () => Date.now() - 49 * 3600_000);
    const user = (await web.db.models.User.findOne({ email }).lean())!;
    const stale = await tokens.issue('verify-email', user._id, `email:${email}`, 48 * 3600_000);
    expect((await request(web.app).get(`/verify-email?token=${encodeURIComponent(stale)}`).expect(400)).text).toContain('This link has expired.');
    // A reset link is no confirmation link.
    const reset = await createAuthTokens(web.db.models, web.config.web.sessionSecret).issue('reset-password', user._id, `password:${user.passwordHash}`, 3600_000);
    await request(web.app).get(`/verify-email?token=${encodeURIComponent(reset)}`).expect(400);
    expect((await web.db.models.User.findById(user._id).lean())?.emailVerifiedAt).toBeNull();
  });

  it('redeems one link exactly once when it is followed twice at the same moment', async () => {
    const email = newEmail();
    await signUp(email);
    const link = pathOf(linkIn(await mailTo(email, /^Confirm/), `${web.config.web.publicUrl}/verify-email?token=`));
    const answers = await Promise.all(Array.from({ length: 6 }, () => request(web.app).get(link)));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 400, 400, 400, 400, 400]);
    for (const answer of answers.filter((a) => a.status === 400)) expect(answer.text).toContain('This link was already used.');
  });

  it('sends a new confirmation link on request, answering the same for any address', async () => {
    const email = newEmail();
    await signUp(email);
    const first = await mailTo(email, /^Confirm/);
    const agent = request.agent(web.app);
    const answers: string[] = [];
    for (const address of [email, newEmail()]) {
      const token = await csrfToken(agent, '/verify-email/resend');
      await agent.post('/verify-email/resend').type('form').send({ _csrf: token, email: address }).expect(303).expect('location', '/login');
      answers.push((await agent.get('/login').expect(200)).text.replace(address, '<email>').replace(/value="[0-9a-f]{64}"/g, ''));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toContain('If <email> has an account waiting for confirmation, we sent it a new link.');
    const second = await mail.waitFor((m) => m.to.includes(email) && /^Confirm/.test(m.subject) && m.id !== first.id);
    await request(web.app).get(pathOf(linkIn(second, `${web.config.web.publicUrl}/verify-email?token=`))).expect(303);
    // A confirmed address gets no further links: asked for one, then for an unconfirmed address's,
    // only the second arrives.
    const before = mail.messages().filter((m) => m.to.includes(email)).length;
    const token = await csrfToken(agent, '/verify-email/resend');
    await agent.post('/verify-email/resend').type('form').send({ _csrf: token, email }).expect(303);
    const other = newEmail();
    await signUp(other);
    const otherFirst = await mailTo(other, /^Confirm/);
    const otherToken = await csrfToken(agent, '/verify-email/resend');
    await agent.post('/verify-email/resend').type('form').send({ _csrf: otherToken, email: other }).expect(303);
    await mail.waitFor((m) => m.to.includes(other) && m.id !== otherFirst.id);
    expect(mail.messages().filter((m) => m.to.includes(email)).length).toBe(before);
    const csrf = await csrfToken(agent, '/verify-email/resend');
    const bad = await agent.post('/verify-email/resend').type('form').send({ _csrf: csrf, email: 'nope' }).expect(400);
    expect(bad.text).toContain('Email: enter an address like name@example.com');
  });

  it('lets an account from before confirmation log in, shows it a banner and confirms it from there', async () => {
    const email = newEmail();
    await web.db.models.User.create({ email, name: 'Old Timer', passwordHash: await hashPassword(PASSWORD), plan: 'free' });
    const agent = request.agent(web.app);
    await logInAs(agent, email, PASSWORD);
    const page = await agent.get('/connections').expect(200);
    expect(page.text).toContain(`Confirm <strong>${email}</strong> to get email notifications.`);
    const token = await csrfToken(agent, '/connections');
    await agent.post('/verify-email/resend').type('form').send({ _csrf: token }).expect(303).expect('location', '/connections');
    const link = pathOf(linkIn(await mailTo(email, /^Confirm/), `${web.config.web.publicUrl}/verify-email?token=`));
    await agent.get(link).expect(303).expect('location', '/connections');
    const after = await agent.get('/connections').expect(200);
    expect(after.text).toContain(`Your address ${email} is confirmed.`);
    expect(after.text).not.toContain('to get email notifications.');
  });

  it('resets a password by email: the same answer for any address, a single-use link, every session ended', async () => {
    const user = await registerUser(web);
    const otherDevice = request.agent(web.app);
    await logInAs(otherDevice, user.email, user.password);
    await otherDevice.get('/connections').expect(200);

    const visitor = request.agent(web.app);
    const answers: string[] = [];
    for (const address of [user.email, newEmail()]) {
      const token = await csrfToken(visitor, '/password/forgot');
      await visitor.post('/password/forgot').type('form').send({ _csrf: token, email: address }).expect(303).expect('location', '/login');
      answers.push((await visitor.get('/login').expect(200)).text.replace(address, '<email>').replace(/value="[0-9a-f]{64}"/g, ''));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toContain('If <email> has an account, we sent it a link to choose a new password.');
    expect(mail.messages().filter((m) => /^Reset your Tether password/.test(m.subject) && !m.to.includes(user.email))).toEqual([]);

    const message = await mailTo(user.email, /^Reset your Tether password/);
    const link = pathOf(linkIn(message, `${web.config.web.publicUrl}/password/reset?token=`));
    const form = await visitor.get(link).expect(200);
    expect(form.text).toContain('<h1>Choose a new password</h1>');
    const token = new URL(link, 'http://x').searchParams.get('token')!;

    let csrf = await csrfToken(visitor, link);
    const short = await visitor.post('/password/reset').type('form').send({ _csrf: csrf, token, password: 'short' }).expect(400);
    expect(short.text).toContain('Password: must be at least 10 characters');
    const newPassword = 'a brand new passphrase';
    csrf = await csrfToken(visitor, link);
    await visitor.post('/password/reset').type('form').send({ _csrf: csrf, token, password: newPassword }).expect(303).expect('location', '/login');
    expect((await visitor.get('/login').expect(200)).text).toContain('Your password is changed, and every session of your account was logged out.');

    // Every session of the user ended; the old password is gone, the new one works.
    await user.agent.get('/connections').expect(303);
    await otherDevice.get('/connections').expect(303);
    expect(await web.db.models.Session.countDocuments({ userId: user.id })).toBe(0);
    await failedLogin(request.agent(web.app), user.email, user.password);
    await logInAs(request.agent(web.app), user.email, newPassword);

    // The link worked once.
    csrf = await csrfToken(visitor, '/password/forgot');
    const reused = await visitor.post('/password/reset').type('form').send({ _csrf: csrf, token, password: 'yet another passphrase' }).expect(400);
    expect(reused.text).toContain('This link was already used.');
    expect(reused.text).toContain('href="/password/forgot"');
    await visitor.get(link).expect(400);
  });

  it('ends every earlier reset link once the password changed, and counts a reset as confirming the address', async () => {
    const email = newEmail();
    await signUp(email);
    const visitor = request.agent(web.app);
    for (let i = 0; i < 2; i++) {
      // (The token is fetched before the POST is built: an agent attaches its cookies when a request is created.)
      const csrf = await csrfToken(visitor, '/password/forgot');
      await visitor.post('/password/forgot').type('form').send({ _csrf: csrf, email }).expect(303);
    }
    await mail.waitFor(() => mail.messages().filter((m) => m.to.includes(email) && /^Reset/.test(m.subject)).length === 2);
    const [first, second] = mail
      .messages()
      .filter((m) => m.to.includes(email) && /^Reset/.test(m.subject))
      .map((m) => new URL(linkIn(m, `${web.config.web.publicUrl}/password/reset?token=`)).searchParams.get('token')!);
    let csrf = await csrfToken(visitor, '/password/forgot');
    await visitor.post('/password/reset').type('form').send({ _csrf: csrf, token: second, password: 'first new passphrase' }).expect(303);
    csrf = await csrfToken(visitor, '/password/forgot');
    const stale = await visitor.post('/password/reset').type('form').send({ _csrf: csrf, token: first, password: 'second new passphrase' }).expect(400);
    expect(stale.text).toContain('This link is not valid');
    // Never confirmed before, the address counts as confirmed: the reset link proved it.
    await logInAs(request.agent(web.app), email, 'first new passphrase');
  });

  it('two simultaneous resets with one link: exactly one changes the password', async () => {
    const user = await registerUser(web);
    const visitor = request.agent(web.app);
    const csrfOfVisitor = await csrfToken(visitor, '/password/forgot');
    await visitor.post('/password/forgot').type('form').send({ _csrf: csrfOfVisitor, email: user.email }).expect(303);
    const token = new URL(linkIn(await mailTo(user.email, /^Reset/), `${web.config.web.publicUrl}/password/reset?token=`)).searchParams.get('token')!;
    const agents = [request.agent(web.app), request.agent(web.app)];
    const csrf = await Promise.all(agents.map((agent) => csrfToken(agent, '/password/forgot')));
    const answers = await Promise.all(
      agents.map((agent, i) => agent.post('/password/reset').type('form').send({ _csrf: csrf[i], token, password: `racing passphrase ${i}` })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([303, 400]);
    const winner = answers.findIndex((a) => a.status === 303);
    await logInAs(request.agent(web.app), user.email, `racing passphrase ${winner}`);
  });

  it('re-hashes an older, cheaper password hash at the next successful login', async () => {
    const email = newEmail();
    const old = await hashPassword(PASSWORD, { N: 2 ** 14, r: 8, p: 1 });
    await web.db.models.User.create({ email, name: 'Old Hash', passwordHash: old, plan: 'free', emailVerifiedAt: new Date() });
    await failedLogin(request.agent(web.app), email, 'not the password');
    expect((await web.db.models.User.findOne({ email }).lean())?.passwordHash).toBe(old);
    await logInAs(request.agent(web.app), email, PASSWORD);
    const rehashed = (await web.db.models.User.findOne({ email }).lean())?.passwordHash;
    expect(rehashed).toMatch(/^scrypt\$131072\$8\$1\$/);
    await logInAs(request.agent(web.app), email, PASSWORD);
  });
});

describe('web: rate limits of registration and emailed links', () => {
  let web: WebHarness;
  let mail: MailCatcher;

  beforeAll(async () => {
    mail = await startMailCatcher();
    web = await startWeb({}, { mailer: createMailer({ smtpUrl: mail.url, from: 'unused' }), emailLimits: { windowMs: 60_000, perAddress: 3, perEmail: 2 } });
  });
  afterAll(async () => {
    await web?.close();
    await mail?.close();
  });

  it('limits registrations per client address, whatever the addresses typed', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const agent = request.agent(web.app);
      const token = await csrfToken(agent, '/register');
      const response = await agent.post('/register').set('X-Forwarded-For', '203.0.113.50').type('form').send({ _csrf: token, name: 'N', email: `${randomUUID()}@example.com`, password: PASSWORD });
      statuses.push(response.status);
      if (response.status === 429) expect(response.text).toContain('Too many sign-ups from here.');
    }
    expect(statuses).toEqual([303, 303, 303, 429]);
  });

  it('limits reset requests per email from any address, saying so the same way whether or not it has an account', async () => {
    const known = (await registerUser(web)).email;
    for (const email of [known, `${randomUUID()}@example.com`]) {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const agent = request.agent(web.app);
        const token = await csrfToken(agent, '/password/forgot');
        const response = await agent.post('/password/forgot').set('X-Forwarded-For', `198.51.100.${i + 1}`).type('form').send({ _csrf: token, email });
        statuses.push(response.status);
        if (response.status === 429) expect(response.text).toContain('Too many requests for this.');
      }
      expect(statuses).toEqual([303, 303, 429]);
    }
    await mail.waitFor(() => mail.messages().filter((m) => m.to.includes(known) && /^Reset/.test(m.subject)).length === 2);
  });
});
