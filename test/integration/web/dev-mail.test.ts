import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../../services/mailer.js';
import { startMailCatcher, type MailCatcher } from '../../../tools/mail-catcher.js';
import { csrfToken, logInAs, startWeb, webApp, type WebHarness } from './support.js';

// Development email: what `npm start`'s mail catcher caught is listed at /dev/mail, with the links
// clickable, so a newcomer confirms an address or resets a password without an SMTP server.

describe('web: caught email in development', () => {
  let web: WebHarness;
  let catcher: MailCatcher;

  beforeAll(async () => {
    web = await startWeb({ NODE_ENV: 'development' });
    catcher = await startMailCatcher({ dir: web.config.email.catcher!.dir });
    web.app = webApp(web.config, web.db, { mailer: createMailer({ smtpUrl: catcher.url, from: web.config.email.from }) });
  });
  afterAll(async () => {
    await catcher?.close();
    await web?.close();
  });

  it('lists the confirmation email a sign-up sent, newest first, and its link confirms the address', async () => {
    const visitor = request.agent(web.app);
    const empty = await visitor.get('/dev/mail').expect(200);
    expect(empty.text).toContain('Nothing caught yet.');
    expect((await visitor.get('/login').expect(200)).text).toContain('<a href="/dev/mail">caught email</a>');

    const email = 'newcomer@example.com';
    const token = await csrfToken(visitor, '/register');
    await visitor.post('/register').type('form').send({ _csrf: token, name: 'New <Comer>', email, password: 'correct horse battery' }).expect(303);
    await catcher.waitFor((mail) => mail.to.includes(email));
    const page = await visitor.get('/dev/mail').expect(200);
    expect(page.text).toContain('<h2>Confirm your email address for Tether</h2>');
    expect(page.text).toContain(`To ${email}`);
    expect(page.text).toContain('Hello New &lt;Comer&gt;,');
    const link = /<a href="([^"]+)">/.exec(page.text.slice(page.text.indexOf('<pre>')))?.[1]?.replace(/&amp;/g, '&');
    expect(link).toMatch(new RegExp(`^${web.config.web.publicUrl}/verify-email\\?token=`));
    const url = new URL(link!);
    await visitor.get(`${url.pathname}${url.search}`).expect(303).expect('location', '/login');
    await logInAs(visitor, email, 'correct horse battery');

    // A reset link shows up the same way, above the older message.
    const asker = request.agent(web.app);
    const askerToken = await csrfToken(asker, '/password/forgot');
    await asker.post('/password/forgot').type('form').send({ _csrf: askerToken, email }).expect(303);
    await catcher.waitFor((mail) => /^Reset/.test(mail.subject));
    const both = await visitor.get('/dev/mail').expect(200);
    expect(both.text.indexOf('Reset your Tether password')).toBeLessThan(both.text.indexOf('Confirm your email address'));
  });

  it('does not exist outside development', async () => {
    const test = webApp({ ...web.config, env: 'test', email: { ...web.config.email, catcher: undefined } }, web.db);
    await request(test).get('/dev/mail').expect(404);
    expect((await request(test).get('/login').expect(200)).text).not.toContain('/dev/mail');
  });
});
