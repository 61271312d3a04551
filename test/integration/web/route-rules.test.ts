import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndexes } from '../../../db/models/index.js';
import type { Notification } from '../../../db/models/notification.js';
import { targetIdOf } from '../../../db/models/post-target.js';
import { createPost } from '../../../db/posts.js';
import type { PlatformId } from '../../../platforms/types.js';
import { claimSlot } from '../../../db/plan-slots.js';
import { slotHolderFor } from '../../../db/models/plan-slot.js';
import { openDatabase, temporalClient, testConfig, type TestDatabase } from '../../helpers/integration.js';
import { openSandbox, sandboxAdapters, type Sandbox } from '../../helpers/lifecycle.js';
import { csrfToken, csrfTokenIn, penNamesOf, registerUser, webApp, type Agent, type TestUser, type WebHarness } from './support.js';

// The dashboard's rules, route by route, from one table: bad input is a 400 naming the field,
// unknown ids and other people's (or other pen names') ids are a 404, no answer ever shows a
// stack trace or is a 500 for a client's mistake, and every state-changing form needs the
// session's CSRF token. Workflows are reached on a real Temporal server with no worker: every
// account's lifecycle answers "not running", which the routes handle, so each route is reached.

type Fields = Record<string, string>;
type Params = Record<string, string>;
type Test = ReturnType<Agent['post']>;

/** Who a route is for: a logged-in user, a visitor (login and registration), or nobody (operators, platforms: no session). */
type Audience = 'user' | 'visitor' | 'none';

/** What an id in a route names (in the path, or for a Reconnect link in the query: `?reconnect=`). */
type ResourceKind = 'account' | 'blueskyAccount' | 'post' | 'target' | 'notification' | 'penName' | 'checkId';

interface Route {
  method: 'GET' | 'POST';
  /** `:id` and `:accountId` are filled from the resource. */
  path: string;
  audience: Audience;
  resource?: ResourceKind;
  /** A body the route accepts, for the user given (their current pen name and resources). */
  body?: (actor: Actor, params: Params) => Fields;
  /** The status when the owner asks for their own resource: proves the ids resolve, so the 404s mean something. */
  ownerStatus?: number;
  /** Query parameters the route reads, for the garbage-query cases. */
  query?: string[];
}

interface Actor {
  user: TestUser;
  /** The pen name being worked in. */
  main: string;
  /** Another pen name of the same user. */
  second: string;
  /** A connected X account in the main pen name, to post to. */
  account: string;
}

const inTwoHours = () => new Date(Date.now() + 2 * 3600_000).toISOString().slice(0, 16);
const editBody = () => ({ text: 'Edited text', when: 'later', publishAt: inTwoHours(), timeZone: 'UTC' });

/**
 * Every route of the dashboard (web/**). Left out: POST /diagnostics/roundtrip (no input, no session;
 * it runs a workflow that needs a worker: see the smoke test) and /static files (tried for traversal below).
 */
const ROUTES: Route[] = [
  // Operators and platforms: no session, JSON answers.
  { method: 'GET', path: '/healthz', audience: 'none' },
  { method: 'GET', path: '/readyz', audience: 'none' },
  { method: 'GET', path: '/diagnostics/roundtrip/:id', audience: 'none', resource: 'checkId' },
  { method: 'POST', path: '/webhooks/facebook/deauthorize', audience: 'none', body: () => ({ signed_request: 'abc.def' }) },
  { method: 'POST', path: '/webhooks/instagram/deauthorize', audience: 'none', body: () => ({ signed_request: 'abc.def' }) },
  { method: 'POST', path: '/webhooks/threads/deauthorize', audience: 'none', body: () => ({ signed_request: 'abc.def' }) },
  { method: 'POST', path: '/webhooks/tiktok', audience: 'none', body: () => ({ event: 'authorization.removed' }) },
  // Visitors.
  { method: 'GET', path: '/', audience: 'visitor' },
  { method: 'GET', path: '/login', audience: 'visitor', query: ['next'] },
  { method: 'POST', path: '/login', audience: 'visitor', body: () => ({ email: 'nobody@example.com', password: 'not the password' }) },
  { method: 'GET', path: '/register', audience: 'visitor' },
  { method: 'POST', path: '/register', audience: 'visitor', body: () => ({ name: 'Garbage Tester', email: `${randomUUID()}@example.com`, password: 'long enough password', penName: '' }) },
  { method: 'POST', path: '/logout', audience: 'visitor' },
  { method: 'GET', path: '/verify-email', audience: 'visitor', query: ['token'] },
  { method: 'GET', path: '/verify-email/resend', audience: 'visitor' },
  { method: 'POST', path: '/verify-email/resend', audience: 'visitor', body: () => ({ email: `${randomUUID()}@example.com` }) },
  { method: 'GET', path: '/password/forgot', audience: 'visitor' },
  { method: 'POST', path: '/password/forgot', audience: 'visitor', body: () => ({ email: `${randomUUID()}@example.com` }) },
  { method: 'GET', path: '/password/reset', audience: 'visitor', query: ['token'] },
  { method: 'POST', path: '/password/reset', audience: 'visitor', body: () => ({ token: 'not.a-token', password: 'long enough password' }) },
  // Pen names.
  { method: 'GET', path: '/pen-names', audience: 'user' },
  { method: 'POST', path: '/pen-names', audience: 'user', body: () => ({ name: `Pen ${randomUUID().slice(0, 8)}` }) },
  { method: 'POST', path: '/pen-names/switch', audience: 'user', body: (actor) => ({ penNameId: actor.main, next: '/pen-names' }) },
  { method: 'POST', path: '/pen-names/:id/rename', audience: 'user', resource: 'penName', body: () => ({ name: `Renamed ${randomUUID().slice(0, 8)}` }), ownerStatus: 303 },
  { method: 'POST', path: '/pen-names/:id/delete', audience: 'user', resource: 'penName', ownerStatus: 303 },
  // Billing.
  { method: 'GET', path: '/billing', audience: 'user' },
  { method: 'POST', path: '/billing/plan', audience: 'user', body: () => ({ plan: 'growth' }) },
  // Notifications and email preferences.
  { method: 'GET', path: '/notifications', audience: 'user' },
  { method: 'POST', path: '/notifications/read-all', audience: 'user' },
  { method: 'POST', path: '/notifications/:id/read', audience: 'user', resource: 'notification', ownerStatus: 303 },
  { method: 'GET', path: '/settings/notifications', audience: 'user' },
  { method: 'POST', path: '/settings/notifications', audience: 'user', body: () => ({ expired: 'on', expiring: 'on' }) },
  // Connections.
  { method: 'GET', path: '/connections', audience: 'user' },
  { method: 'POST', path: '/connections/premium', audience: 'user' },
  { method: 'POST', path: '/connections/:id/refresh', audience: 'user', resource: 'account', ownerStatus: 303 },
  { method: 'GET', path: '/connections/:id/reconnect', audience: 'user', resource: 'account', ownerStatus: 303 },
  { method: 'POST', path: '/connections/:id/test-post', audience: 'user', resource: 'account', ownerStatus: 200 },
  { method: 'GET', path: '/connections/:id/overdue', audience: 'user', resource: 'account', ownerStatus: 200 },
  { method: 'POST', path: '/connections/:id/overdue', audience: 'user', resource: 'account', body: () => ({ choice: 'skip' }), ownerStatus: 303 },
  { method: 'GET', path: '/connections/:id/disconnect', audience: 'user', resource: 'account', ownerStatus: 200 },
  { method: 'POST', path: '/connections/:id/disconnect', audience: 'user', resource: 'account', ownerStatus: 303 },
  // Connect flows.
  { method: 'GET', path: '/connect/bluesky', audience: 'user', query: ['handle', 'reconnect'] },
  { method: 'GET', path: '/connect/bluesky?handle=someone.bsky.social&reconnect=:id', audience: 'user', resource: 'blueskyAccount', ownerStatus: 200 },
  { method: 'POST', path: '/connect/bluesky', audience: 'user', body: () => ({ identifier: 'nobody.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' }) },
  { method: 'GET', path: '/connect/choose', audience: 'user' },
  { method: 'POST', path: '/connect/choose', audience: 'user', body: () => ({ target: 'page-1' }) },
  { method: 'GET', path: '/connect/x', audience: 'user', query: ['reconnect'] },
  { method: 'GET', path: '/connect/x?reconnect=:id', audience: 'user', resource: 'account', ownerStatus: 303 },
  { method: 'GET', path: '/connect/x/callback', audience: 'user', query: ['state', 'code', 'error', 'error_description'] },
  // Posts.
  { method: 'GET', path: '/posts', audience: 'user', query: ['status'] },
  { method: 'GET', path: '/posts/new', audience: 'user' },
  {
    method: 'POST',
    path: '/posts',
    audience: 'user',
    body: (actor) => ({ text: 'Hello from the garbage test', accountIds: actor.account, when: 'later', publishAt: inTwoHours(), timeZone: 'UTC' }),
  },
  { method: 'GET', path: '/posts/:id', audience: 'user', resource: 'post', ownerStatus: 200 },
  { method: 'GET', path: '/posts/:id/edit', audience: 'user', resource: 'post', ownerStatus: 200 },
  { method: 'POST', path: '/posts/:id/edit', audience: 'user', resource: 'post', body: editBody, ownerStatus: 303 },
  { method: 'POST', path: '/posts/:id/cancel', audience: 'user', resource: 'post', ownerStatus: 303 },
  { method: 'POST', path: '/posts/:id/targets/:accountId/retry', audience: 'user', resource: 'target', ownerStatus: 303 },
];

/** What a stack trace, or an exception's own text, looks like in an answer. */
const STACK_SIGNS = [/\n\s*at [^\n]*:\d+:\d+/, /\bat [^\s]*\.[cm]?[jt]s:\d+/, /\.ts:\d+/, /\b[A-Z]\w*Error: /, /\bError: /, /node_modules\//];

function expectNoStack(response: { status: number; text: string }, what: string): void {
  expect(response.status, `${what}: answered ${response.status}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
  for (const sign of STACK_SIGNS) expect(response.text, `${what}: the answer shows ${sign}`).not.toMatch(sign);
}

function fill(path: string, params: Params): string {
  return path.replace(/:(id|accountId)\b/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** Same as fill, but the values go in as they are (already encoded, or deliberately malformed). */
function fillRaw(path: string, value: string): string {
  return path.replace(/:(id|accountId)\b/g, value);
}

const formOf = (fields: [string, string][]) => fields.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');

describe('web: every route keeps the dashboard rules', () => {
  const config = testConfig();
  let db: TestDatabase;
  let sandbox: Sandbox;
  let temporal: { client: Client; close(): Promise<void> };
  let web: WebHarness;
  /** Asks for other people's things. */
  let alice: Actor;
  /** Owns the things alice asks for. */
  let bob: Actor;
  /** Sends garbage to every route, with her own things. */
  let carol: Actor;

  const actorFor = async (user: TestUser): Promise<Actor> => {
    await db.models.User.updateOne({ _id: user.id }, { $set: { plan: 'growth' } });
    const main = (await penNamesOf(web, user.id))[0]!._id;
    const second = (await db.models.PenName.create({ ownerId: user.id, name: `${user.name} elsewhere` })).toObject()._id;
    return { user, main, second, account: await seedAccount(user.id, main) };
  };

  beforeAll(async () => {
    db = await openDatabase(config);
    await ensureIndexes(db.models);
    sandbox = await openSandbox();
    temporal = await temporalClient(config);
    const app = webApp(config, db, {
      adapters: sandboxAdapters(config, sandbox.url),
      workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue },
    });
    web = { config, db, app, close: async () => undefined };
    [alice, bob, carol] = await Promise.all([
      registerUser(web, { name: 'Alice' }).then(actorFor),
      registerUser(web, { name: 'Bob' }).then(actorFor),
      registerUser(web, { name: 'Carol' }).then(actorFor),
    ]);
  }, 60_000);
  afterAll(async () => {
    await temporal?.close();
    await sandbox?.close();
    await db?.close();
  });

  // Things owned by someone, in one of their pen names, written as the dashboard writes them.

  const seedAccount = async (ownerId: string, penNameId: string, platform: PlatformId = 'x'): Promise<string> => {
    const _id = randomUUID();
    const externalId = randomUUID();
    const now = new Date();
    await db.models.Account.create({
      _id,
      ownerId,
      penNameId,
      platform,
      externalId,
      handle: `h_${_id.slice(0, 8)}`,
      displayName: 'Someone',
      meta: {},
      connectedAt: now,
      status: { state: 'active', queuePaused: false, sequence: 1, updatedAt: now },
    });
    await claimSlot(db.models, { ownerId, holder: slotHolderFor({ penNameId, platform, externalId }), limit: 50 });
    return _id;
  };

  const seedPost = async (ownerId: string, penNameId: string, targetState: 'scheduled' | 'failed' = 'scheduled') => {
    const accountId = await seedAccount(ownerId, penNameId);
    const now = new Date();
    const post = await createPost(
      db.models,
      { ownerId, penNameId, kind: 'scheduled', text: 'A post', timeZone: 'UTC', publishAt: new Date(now.getTime() + 3600_000), targets: [{ accountId, platform: 'x', handle: 'someone' }] },
      now,
    );
    if (targetState === 'failed') {
      await db.models.PostTarget.updateOne({ _id: targetIdOf(post._id, accountId) }, { $set: { state: 'failed', reason: { code: 'boom', message: 'It failed' } } });
    }
    return { id: post._id, accountId };
  };

  const seedNotification = async (ownerId: string, penNameId: string): Promise<string> => {
    const accountId = randomUUID();
    const id = `${accountId}:1`;
    const document: Notification = {
      _id: id,
      dedupeKey: id,
      ownerId,
      penNameId,
      penName: 'whatever',
      accountId,
      platform: 'x',
      handle: 'someone',
      kind: 'expired',
      title: 'An account stopped',
      body: 'It stopped.',
      link: '/connections',
      createdAt: new Date(),
      email: { state: 'skipped', attempts: 0 },
      webhook: { state: 'skipped', attempts: 0 },
    };
    await db.models.Notification.create(document);
    return id;
  };

  const seedPenName = async (ownerId: string): Promise<string> => (await db.models.PenName.create({ ownerId, name: `Spare ${randomUUID().slice(0, 8)}` })).toObject()._id;

  /** The params of a fresh resource of `kind`, owned by `ownerId` in `penNameId`. */
  const seed = async (kind: ResourceKind, ownerId: string, penNameId: string): Promise<Params> => {
    switch (kind) {
      case 'account':
        return { id: await seedAccount(ownerId, penNameId) };
      case 'blueskyAccount':
        return { id: await seedAccount(ownerId, penNameId, 'bluesky') };
      case 'post':
        return { id: (await seedPost(ownerId, penNameId)).id };
      case 'target':
        return seedPost(ownerId, penNameId, 'failed');
      case 'notification':
        return { id: await seedNotification(ownerId, penNameId) };
      case 'penName':
        return { id: await seedPenName(ownerId) };
      case 'checkId': {
        const checkId = randomUUID();
        await db.models.Diagnostic.create({ checkId, workflowId: `diagnostic:${checkId}`, writtenBy: 'test', writtenAt: new Date() });
        return { id: checkId };
      }
    }
  };

  /** What a request about the resource could change; compared before and after requests that must change nothing. */
  const snapshot = async (kind: ResourceKind, params: Params): Promise<unknown> => {
    const id = params.id ?? '';
    switch (kind) {
      case 'account':
      case 'blueskyAccount':
        return [await db.models.Account.findById(id).lean(), await db.models.Post.countDocuments({ 'targets.accountId': id }), await db.models.PlanSlot.countDocuments()];
      case 'post':
      case 'target':
        return [await db.models.Post.findById(id).lean(), await db.models.PostTarget.find({ postId: id }).sort({ _id: 1 }).lean()];
      case 'notification':
        return db.models.Notification.findById(id).lean();
      case 'penName':
        return db.models.PenName.findById(id).lean();
      case 'checkId':
        return db.models.Diagnostic.findOne({ checkId: id }).lean();
    }
  };

  /** Ids nobody has: a random one, and (for a target) a real post of the asker's with an account it does not have. */
  const unknownParams = async (kind: ResourceKind, asker: Actor): Promise<Params[]> => {
    if (kind === 'target') return [{ id: randomUUID(), accountId: randomUUID() }, { id: (await seedPost(asker.user.id, asker.main, 'failed')).id, accountId: randomUUID() }];
    if (kind === 'notification') return [{ id: `${randomUUID()}:1` }];
    return [{ id: randomUUID() }];
  };

  const tokens = new Map<Agent, string>();
  /** The session's CSRF token; the synchronizer token stays the same for the session's life. */
  const tokenOf = async (agent: Agent): Promise<string> => {
    const known = tokens.get(agent);
    if (known) return known;
    const token = await csrfToken(agent, '/pen-names');
    tokens.set(agent, token);
    return token;
  };

  const visitor = () => request.agent(web.app);
  const visitorToken = async (agent: Agent) => csrfTokenIn((await agent.get('/login').expect(200)).text);

  /** Sends the route as a browser would: a form with the session's token. */
  const send = async (agent: Agent, route: Route, path: string, fields: Fields = {}) => {
    if (route.method === 'GET') return agent.get(path);
    const token = route.audience === 'user' ? await tokenOf(agent) : route.audience === 'visitor' ? await visitorToken(agent) : undefined;
    return agent.post(path).type('form').send(formOf([...(token ? [['_csrf', token] as [string, string]] : []), ...Object.entries(fields)]));
  };

  const label = (route: Route) => `${route.method} ${route.path}`;

  describe('tenant isolation: unknown ids, other users’ ids and other pen names’ ids are 404', () => {
    const withIds = ROUTES.filter((route) => route.resource && route.audience === 'user');

    it.each(withIds.map((route) => [label(route), route] as const))('%s', async (_name, route) => {
      const kind = route.resource!;
      const [others, unknown, otherPenName] = await Promise.all([
        seed(kind, bob.user.id, bob.main),
        unknownParams(kind, alice),
        // A pen name is itself the tenant's partition; everything else belongs to one.
        kind === 'penName' ? undefined : seed(kind, alice.user.id, alice.second),
      ]);
      const asked: { who: string; params: Params }[] = [
        { who: 'another user’s', params: others },
        ...unknown.map((params) => ({ who: 'an unknown', params })),
        ...(otherPenName ? [{ who: 'another pen name’s', params: otherPenName }] : []),
      ];

      for (const { who, params } of asked) {
        const before = await snapshot(kind, params);
        const response = await send(alice.user.agent, route, fill(route.path, params), route.body?.(alice, params));
        expect(response.status, `${label(route)} with ${who} id (${JSON.stringify(params)}): ${response.text.slice(0, 200)}`).toBe(404);
        expectNoStack(response, `${label(route)} with ${who} id`);
        expect(await snapshot(kind, params), `${label(route)} with ${who} id changed it`).toEqual(before);
      }
      // The same request for the asker's own thing goes through: the 404s above are about whose it is.
      const own = await seed(kind, alice.user.id, alice.main);
      const mine = await send(alice.user.agent, route, fill(route.path, own), route.body?.(alice, own));
      expect(mine.status, `${label(route)} with the owner's own id: ${mine.text.slice(0, 300)}`).toBe(route.ownerStatus);
    });

    it('GET /diagnostics/roundtrip/:checkId: an unknown check is 404 in JSON, a known one is read back', async () => {
      const known = await seed('checkId', bob.user.id, bob.main);
      await request(web.app).get(`/diagnostics/roundtrip/${known.id}`).expect(200);
      const unknown = await request(web.app).get(`/diagnostics/roundtrip/${randomUUID()}`).expect(404);
      expect(unknown.body).toEqual({ error: 'No such check' });
    });

    const GARBAGE_IDS = [
      'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
      'a'.repeat(5000),
      encodeURIComponent('💥\u202eünï\u0000'),
      '__proto__',
      '%E0%A4%A',
      encodeURIComponent('{"$ne":null}'),
      '..%2F..%2Fetc%2Fpasswd',
    ];

    it.each(ROUTES.filter((route) => route.resource).map((route) => [label(route), route] as const))(
      '%s: a malformed id is 400 or 404, never a 500',
      async (_name, route) => {
        const agent = route.audience === 'user' ? alice.user.agent : visitor();
        // Nothing is found, so nothing changes: the ids are tried at once.
        const responses = await Promise.all(GARBAGE_IDS.map((id) => send(agent, route, fillRaw(route.path, id), route.body?.(alice, { id }))));
        responses.forEach((response, index) => {
          const id = GARBAGE_IDS[index]!.slice(0, 40);
          expectNoStack(response, `${label(route)} with id ${id}`);
          expect([400, 404], `${label(route)} with id ${id}: ${response.status} ${response.text.slice(0, 200)}`).toContain(response.status);
        });
      },
    );
  });

  describe('CSRF: every state-changing route refuses a request without the session’s token', () => {
    const changing = ROUTES.filter((route) => route.method === 'POST' && route.audience !== 'none');

    it.each(changing.map((route) => [label(route), route] as const))('%s', async (_name, route) => {
      const owner = route.audience === 'user' ? carol : undefined;
      const agent = owner?.user.agent ?? visitor();
      if (route.audience === 'visitor') await agent.get('/login').expect(200);
      const params = route.resource && owner ? await seed(route.resource, owner.user.id, owner.main) : {};
      const path = fill(route.path, params);
      const fields = route.body?.(owner ?? carol, params) ?? {};
      const foreign = await visitorToken(visitor());

      const attempts: [string, Test][] = [
        ['no token', agent.post(path).type('form').send(formOf(Object.entries(fields)))],
        ['another session’s token', agent.post(path).type('form').send(formOf([['_csrf', foreign], ...Object.entries(fields)]))],
        ['another session’s token in the header', agent.post(path).set('x-csrf-token', foreign).type('form').send(formOf(Object.entries(fields)))],
        ['an empty token', agent.post(path).type('form').send(formOf([['_csrf', ''], ...Object.entries(fields)]))],
      ];
      for (const [what, attempt] of attempts) {
        const response = await attempt;
        expect(response.status, `${label(route)} with ${what}`).toBe(403);
        expect(response.text).toContain('This form expired or did not come from Tether.');
        expectNoStack(response, `${label(route)} with ${what}`);
      }
      // The refused requests changed nothing: the same request with the token still does its work.
      if (route.ownerStatus && owner) {
        const accepted = await send(agent, route, path, fields);
        expect(accepted.status, `${label(route)} with the token: ${accepted.text.slice(0, 300)}`).toBe(route.ownerStatus);
      }
    });
  });

  describe('bad input is a 400 naming the field', () => {
    const bad = async (agent: Agent, path: string, fields: Fields, from = '/pen-names') => {
      const token = await csrfToken(agent, from);
      return agent.post(path).type('form').send(formOf([['_csrf', token], ...Object.entries(fields)]));
    };
    const expectNamed = (response: { status: number; text: string }, ...labels: string[]) => {
      expect(response.status, response.text.slice(0, 300)).toBe(400);
      for (const name of labels) expect(response.text).toContain(`${name}:`);
      expectNoStack(response, labels.join(', '));
    };

    it('auth: the next page, email, password and name', async () => {
      const agent = visitor();
      expectNamed(await agent.get(`/login?next=/${'x'.repeat(2001)}`), 'Next page');
      expectNamed(await agent.get('/login?next=/a&next=/b'), 'Next page');
      const token = await visitorToken(agent);
      expectNamed(await agent.post('/login').type('form').send(formOf([['_csrf', token], ['email', 'not-an-email'], ['password', 'x']])), 'Email');
      expectNamed(await agent.post('/login').type('form').send(formOf([['_csrf', token], ['email', 'a@example.com'], ['password', 'x'.repeat(201)]])), 'Password');
      expectNamed(await agent.post('/register').type('form').send(formOf([['_csrf', token], ['name', ''], ['email', 'a@example.com'], ['password', 'short']])), 'Name', 'Password');
      expectNamed(await agent.post('/register').type('form').send(formOf([['_csrf', token], ['name', 'N'], ['email', 'a@example.com'], ['password', 'long enough pw'], ['penName', 'x'.repeat(61)]])), 'First pen name');
    });

    it('emailed links: the email, the link and the new password', async () => {
      const agent = visitor();
      expectNamed(await agent.get('/verify-email'), 'Link');
      expectNamed(await agent.get('/verify-email?token=a&token=b'), 'Link');
      expectNamed(await agent.get(`/password/reset?token=${'x'.repeat(1001)}`), 'Link');
      const token = await visitorToken(agent);
      expectNamed(await agent.post('/verify-email/resend').type('form').send(formOf([['_csrf', token], ['email', 'not-an-email']])), 'Email');
      expectNamed(await agent.post('/password/forgot').type('form').send(formOf([['_csrf', token]])), 'Email');
      expectNamed(await agent.post('/password/reset').type('form').send(formOf([['_csrf', token], ['token', 'abc.def'], ['password', 'short']])), 'Password');
      expectNamed(await agent.post('/password/reset').type('form').send(formOf([['_csrf', token], ['password', 'long enough password']])), 'Link');
    });

    it('pen names: the name, the pen name to switch to and a malformed id', async () => {
      const agent = carol.user.agent;
      expectNamed(await bad(agent, '/pen-names', { name: '' }), 'Pen name');
      expectNamed(await bad(agent, '/pen-names', { name: 'tab\there' }), 'Pen name');
      expectNamed(await bad(agent, '/pen-names/switch', { penNameId: 'nope' }), 'Pen name');
      expectNamed(await bad(agent, `/pen-names/${carol.second}/rename`, { name: 'x'.repeat(61) }), 'Pen name');
      expectNamed(await bad(agent, '/pen-names/not-a-uuid/rename', { name: 'Fine' }), 'Pen name id');
      expectNamed(await bad(agent, '/pen-names/not-a-uuid/delete', {}), 'Pen name id');
    });

    it('billing, notifications and preferences: the plan, the notification id and a preference box', async () => {
      const agent = carol.user.agent;
      expectNamed(await bad(agent, '/billing/plan', { plan: 'platinum' }), 'Plan');
      expectNamed(await bad(agent, `/notifications/${'x'.repeat(201)}/read`, {}), 'Notification id');
      expectNamed(await bad(agent, '/settings/notifications', { expired: 'yes' }), 'Stopped accounts');
    });

    it('posts: the status filter, the text, the accounts and the time zone', async () => {
      const agent = carol.user.agent;
      expectNamed(await agent.get('/posts?status=bogus'), 'Status');
      expectNamed(await agent.get('/posts?status=failed&status=published'), 'Status');
      const later = inTwoHours();
      expectNamed(await bad(agent, '/posts', { text: '', when: 'later', publishAt: later, timeZone: 'UTC' }), 'Text', 'Accounts');
      const post = await seedPost(carol.user.id, carol.main);
      expectNamed(await bad(agent, `/posts/${post.id}/edit`, { text: 'Fine', when: 'later', publishAt: later, timeZone: 'Mars/Olympus' }), 'Time zone');
      expectNamed(await bad(agent, `/posts/${post.id}/edit`, { text: 'Fine', when: 'sometime', publishAt: later, timeZone: 'UTC' }), 'When');
    });

    it('connections and connect: the overdue choice, the Bluesky handle and the account to reconnect', async () => {
      const agent = carol.user.agent;
      const accountId = await seedAccount(carol.user.id, carol.main);
      expectNamed(await bad(agent, `/connections/${accountId}/overdue`, { choice: 'maybe' }), 'What to do');
      expectNamed(await bad(agent, '/connect/bluesky', { identifier: 'a', appPassword: 'x' }), 'Handle');
      // Two accounts named where one is meant is bad input, not "no account".
      const twice = await agent.get(`/connect/x?reconnect=${accountId}&reconnect=${accountId}`);
      expect(twice.status, twice.text.slice(0, 300)).toBe(400);
      expect(twice.text).toMatch(/reconnect/i);
    });

    it('JSON routes name the field in the error', async () => {
      const check = await request(web.app).get('/diagnostics/roundtrip/nope').expect(400);
      expect(check.body).toEqual({ error: 'checkId must be a UUID', field: 'checkId' });
      const meta = await request(web.app).post('/webhooks/facebook/deauthorize').type('form').send('').expect(400);
      expect(meta.body.error).toContain('signed_request');
      const tiktok = await request(web.app).post('/webhooks/tiktok').set('content-type', 'application/json').send('{}').expect(400);
      expect(tiktok.body.error).toMatch(/TikTok-Signature/i);
    });
  });

  describe('garbage never gets a 500 or a stack trace', () => {
    interface GarbageBody {
      name: string;
      send(test: Test, fields: [string, string][], token: string): Test;
    }
    const asForm = (test: Test, raw: string) => test.type('form').send(raw);
    const asJson = (test: Test, raw: string, token: string) => test.set('x-csrf-token', token).set('content-type', 'application/json').send(raw);
    const names = (fields: [string, string][]) => (fields.length > 0 ? fields.map(([key]) => key) : ['name', 'text', 'id']);

    /** Bodies that reach the route's handler, which must cope with whatever the parsers made of them. */
    const GARBAGE_BODIES: GarbageBody[] = [
      { name: 'an empty form', send: (test, _fields, token) => asForm(test, formOf([['_csrf', token]])) },
      {
        name: 'every field twice (arrays where strings are expected)',
        send: (test, fields, token) => asForm(test, formOf([['_csrf', token], ...fields, ...fields, ...names(fields).map((key): [string, string] => [key, 'second'])])),
      },
      {
        name: '__proto__ and constructor keys',
        send: (test, fields, token) =>
          asForm(test, formOf([['_csrf', token], ['__proto__', 'x'], ['__proto__[polluted]', 'yes'], ['constructor[prototype][polluted]', 'yes'], ['board-__proto__', 'x'], ...fields])),
      },
      {
        name: 'unicode, control characters, right-to-left marks, invalid UTF-8 and malformed percent-encoding',
        send: (test, fields, token) =>
          asForm(test, `${formOf([['_csrf', token], ...names(fields).map((key): [string, string] => [key, '💥\u202eünï\u0000\u0007𝕏'])])}&${names(fields)[0]}=%ED%A0%80%FF%FE&${names(fields)[0]}=%E0%A4%A&%=%%&%ZZ=1`),
      },
      {
        name: 'very long fields (under the body limit)',
        send: (test, fields, token) => asForm(test, formOf([['_csrf', token], ...names(fields).map((key): [string, string] => [key, 'x'.repeat(Math.floor(90_000 / names(fields).length))])])),
      },
      {
        name: 'JSON with objects where strings are expected',
        send: (test, fields, token) =>
          asJson(
            test,
            `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${names(fields)
              .map((key) => `${JSON.stringify(key)}:{"toString":1,"valueOf":1,"__proto__":{"polluted":"yes"}}`)
              .join(',')}}`,
            token,
          ),
      },
      {
        name: 'JSON with arrays, numbers and nulls where strings are expected',
        send: (test, fields, token) => asJson(test, JSON.stringify(Object.fromEntries(names(fields).map((key, index) => [key, [[{ $ne: null }, ['x']], 12, null, true][index % 4]]))), token),
      },
      { name: 'a JSON array', send: (test, _fields, token) => asJson(test, '[{"name":1},["x"],null]', token) },
      { name: 'plain text (no parsed body)', send: (test, _fields, token) => test.set('x-csrf-token', token).type('text/plain').send('name=hello') },
    ];

    /** Bodies the parsers refuse before any handler runs: the same for every route behind one parser, so tried once per parser. */
    const UNREADABLE_BODIES: GarbageBody[] = [
      { name: 'a body over the size limit', send: (test, fields, token) => asForm(test, formOf([['_csrf', token], [names(fields)[0]!, 'x'.repeat(200_000)]])) },
      { name: 'malformed JSON', send: (test, _fields, token) => asJson(test, '{"name": ', token) },
      { name: 'deeply nested JSON', send: (test, _fields, token) => asJson(test, `${'['.repeat(40_000)}${']'.repeat(40_000)}`, token) },
      { name: 'an unsupported charset', send: (test, fields, token) => test.set('content-type', 'application/x-www-form-urlencoded; charset=utf-7').send(formOf([['_csrf', token], ...fields])) },
      { name: 'gzip that is not gzip', send: (test, fields, token) => test.set('content-encoding', 'gzip').type('form').send(formOf([['_csrf', token], ...fields])) },
      { name: 'an unsupported content encoding', send: (test, fields, token) => test.set('content-encoding', 'x-unknown').type('form').send(formOf([['_csrf', token], ...fields])) },
    ];

    const garbageQuery = (params: string[]) => {
      const keys = [...params, 'next', 'status'];
      return [
        `?__proto__[polluted]=yes&constructor[prototype][polluted]=yes&__proto__=x&${keys.map((key) => `${key}[$ne]=1`).join('&')}`,
        `?${keys.map((key) => `${key}=a&${key}=b`).join('&')}`,
        `?${keys.map((key) => `${key}=${'x'.repeat(3000)}`).join('&')}`,
        `?${keys.map((key) => `${key}=%E0%A4%A&${key}=${encodeURIComponent('💥\u202e\u0000//evil.example')}`).join('&')}&%=%%`,
      ];
    };

    const prototypeIsClean = () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    };

    it.each(ROUTES.map((route) => [label(route), route] as const))('%s', async (_name, route) => {
      if (route.audience === 'user') {
        // Routes may switch pen names (a created pen name is switched to); work in the main one each time.
        await carol.user.agent.post('/pen-names/switch').type('form').send(formOf([['_csrf', await tokenOf(carol.user.agent)], ['penNameId', carol.main]])).expect(303);
      }
      const params = route.resource ? await seed(route.resource, carol.user.id, carol.main) : {};
      const path = fill(route.path, params);

      if (route.method === 'GET') {
        const agent = route.audience === 'user' ? carol.user.agent : visitor();
        const joiner = path.includes('?') ? '&' : '';
        for (const query of garbageQuery(route.query ?? [])) {
          const response = await agent.get(`${path}${joiner ? `${joiner}${query.slice(1)}` : query}`);
          expectNoStack(response, `${label(route)} with query ${query.slice(0, 80)}`);
        }
        prototypeIsClean();
        return;
      }

      for (const garbage of GARBAGE_BODIES) {
        // Visitors' routes log in or out: a fresh session each time, so every case reaches the route.
        const agent = route.audience === 'user' ? carol.user.agent : visitor();
        const token = route.audience === 'user' ? await tokenOf(agent) : route.audience === 'visitor' ? await visitorToken(agent) : 'no-session';
        const fields = Object.entries(route.body?.(carol, params) ?? {});
        const response = await garbage.send(agent.post(path), fields, token);
        expectNoStack(response, `${label(route)} with ${garbage.name}`);
      }
      prototypeIsClean();
    });

    // One route behind each parser: the dashboard's (forms and JSON), and each webhook's own.
    const PARSERS = ['POST /pen-names', 'POST /login', 'POST /webhooks/facebook/deauthorize', 'POST /webhooks/tiktok'];
    it.each(PARSERS)('%s: unreadable bodies are refused with a 4xx', async (name) => {
      const route = ROUTES.find((candidate) => label(candidate) === name)!;
      for (const garbage of UNREADABLE_BODIES) {
        const agent = route.audience === 'user' ? carol.user.agent : visitor();
        const token = route.audience === 'user' ? await tokenOf(agent) : route.audience === 'visitor' ? await visitorToken(agent) : 'no-session';
        const response = await garbage.send(agent.post(route.path), Object.entries(route.body?.(carol, {}) ?? {}), token);
        expectNoStack(response, `${name} with ${garbage.name}`);
        expect(response.status, `${name} with ${garbage.name}`).toBeGreaterThanOrEqual(400);
      }
    });

    it('unknown paths and methods are a plain 404 or 403', async () => {
      const agent = carol.user.agent;
      expectNoStack(await agent.get('/no/such/page'), 'GET /no/such/page');
      expectNoStack(await agent.get('/%E0%A4%A'), 'GET malformed path');
      expectNoStack(await agent.put('/pen-names').send({}), 'PUT /pen-names');
      expectNoStack(await agent.delete(`/posts/${randomUUID()}`), 'DELETE /posts/:id');
      expectNoStack(await request(web.app).post('/webhooks/nowhere').send('x'), 'POST /webhooks/nowhere');
      expectNoStack(await request(web.app).get(`/static/${'..%2F'.repeat(5)}package.json`), 'static traversal');
      expect((await request(web.app).get(`/static/${'..%2F'.repeat(5)}package.json`)).text).not.toContain('"dependencies"');
    });
  });
});
