import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runAdmin, type AdminIo } from '../../../tools/admin.js';
import { claimSlot } from '../../../db/plan-slots.js';
import { postForm, registerUser, useWeb } from './support.js';

const run = promisify(execFile);

describe('web: billing (self-serve, the development default)', () => {
  const web = useWeb();

  it('shows the current plan, usage against its limit, every plan and that no payment is taken', async () => {
    const user = await registerUser(web);
    const page = await user.agent.get('/billing').expect(200);
    expect(page.text).toContain('<p class="plan-name">Free</p>');
    expect(page.text).toMatch(/<strong>0<\/strong> of <strong>0<\/strong> connected accounts/);
    expect(page.text).toContain('connecting accounts needs a plan with room for them');
    for (const label of ['Starter', 'Growth', 'Agency']) expect(page.text).toContain(`Switch to ${label}`);
    expect(page.text).toContain('Up to 50');
    expect(page.text).toContain('there is no payment processor');
  });

  it('changes plan with the button, and shows usage from the slots held', async () => {
    const user = await registerUser(web);
    const changed = await postForm(user.agent, '/billing/plan', { plan: 'growth' }, '/billing');
    expect(changed.status).toBe(303);
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('growth');
    await claimSlot(web.db.models, { ownerId: user.id, holder: 'a', limit: 15 });
    await claimSlot(web.db.models, { ownerId: user.id, holder: 'b', limit: 15 });
    const page = await user.agent.get('/billing').expect(200);
    expect(page.text).toContain('Your plan is now Growth.');
    expect(page.text).toMatch(/<strong>2<\/strong> of <strong>15<\/strong> connected accounts/);
    expect(page.text).toMatch(/<button class="button" type="submit" name="plan" value="free" disabled/);
  });

  it('answers an unknown or missing plan with 400 naming the field', async () => {
    const user = await registerUser(web);
    const unknown = await postForm(user.agent, '/billing/plan', { plan: 'platinum' }, '/billing');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('Plan: must be one of free, starter, growth, agency');
    const missing = await postForm(user.agent, '/billing/plan', {}, '/billing');
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Plan: is required');
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('free');
  });

  it('refuses a plan smaller than the accounts already connected', async () => {
    const user = await registerUser(web);
    await web.db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth' } });
    for (let i = 0; i < 6; i++) await claimSlot(web.db.models, { ownerId: user.id, holder: `h${i}`, limit: 15 });
    const response = await postForm(user.agent, '/billing/plan', { plan: 'starter' }, '/billing');
    expect(response.status).toBe(409);
    expect(response.text).toContain('Plan: Starter allows 5 connected accounts and 6 are connected; disconnect 1 first.');
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('growth');
  });

  it('refuses a plan change without the CSRF token, and sends visitors to login', async () => {
    const user = await registerUser(web);
    await user.agent.post('/billing/plan').type('form').send({ plan: 'agency' }).expect(403);
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('free');
    await request(web.app).get('/billing').expect(303).expect('location', '/login?next=%2Fbilling');
  });
});

describe('web: billing when plans are changed by an operator', () => {
  const web = useWeb({ PLAN_SELF_SERVE: 'false', SUPPORT_EMAIL: 'help@example.com' });

  it('shows no buttons, says whom to write to, and refuses the change with 403', async () => {
    const user = await registerUser(web);
    const page = await user.agent.get('/billing').expect(200);
    expect(page.text).not.toContain('Switch to');
    expect(page.text).toContain('an operator changes it for you');
    expect(page.text).toContain('mailto:help@example.com');
    const refused = await postForm(user.agent, '/billing/plan', { plan: 'agency' }, '/billing');
    expect(refused.status).toBe(403);
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('free');
  });

  it('lets the operator set a plan from the admin command', async () => {
    const user = await registerUser(web);
    const lines: string[] = [];
    const io: AdminIo = { out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`) };
    const deps = { models: web.db.models, config: web.config, io };
    expect(await runAdmin(['set-plan', user.email.toUpperCase(), 'starter'], deps)).toBe(0);
    expect(lines.at(-1)).toBe(`${user.email}: Free -> Starter (up to 5 connected accounts; 0 connected)`);
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('starter');
    expect((await user.agent.get('/billing').expect(200)).text).toContain('<p class="plan-name">Starter</p>');

    expect(await runAdmin(['set-plan', 'nobody@example.com', 'starter'], deps)).toBe(1);
    expect(lines.at(-1)).toBe('ERR No user nobody@example.com.');
    expect(await runAdmin(['set-plan', user.email, 'platinum'], deps)).toBe(1);
    expect(lines.at(-1)).toMatch(/^ERR Plan must be one of free, starter, growth, agency/);
    expect(await runAdmin(['set-plan', user.email], deps)).toBe(2);
    expect(lines.at(-1)).toMatch(/^ERR Usage: npm run admin -- <command>/);

    // An operator may downgrade below usage; the user is warned by the command, and no new account fits.
    for (let i = 0; i < 3; i++) await claimSlot(web.db.models, { ownerId: user.id, holder: `h${i}`, limit: 5 });
    expect(await runAdmin(['set-plan', user.email, 'free'], deps)).toBe(0);
    expect(lines.at(-1)).toMatch(/^ERR Warning: 3 more connected than the plan allows/);
  });

  it('runs as `tsx tools/admin.ts set-plan <email> <plan>` against the configured database', async () => {
    const user = await registerUser(web);
    const { stdout } = await run('npx', ['tsx', 'tools/admin.ts', 'set-plan', user.email, 'agency'], {
      env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: web.config.mongo.uri, TETHER_DATA_DIR: web.config.dataDir, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(stdout).toContain(`${user.email}: Free -> Agency`);
    expect((await web.db.models.User.findById(user.id).lean())?.plan).toBe('agency');
    const failed = await run('npx', ['tsx', 'tools/admin.ts', 'set-plan', `${randomUUID()}@example.com`, 'agency'], {
      env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: web.config.mongo.uri, TETHER_DATA_DIR: web.config.dataDir },
      timeout: 60_000,
    }).catch((error: { code?: number; stderr?: string }) => error);
    expect((failed as { code?: number }).code).toBe(1);
  });
});
