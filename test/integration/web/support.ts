import { Client } from '@temporalio/client';
import { createTransport } from 'nodemailer';
import request from 'supertest';
import { expect } from 'vitest';
import type { Config } from '../../../config/index.js';
import { createLogger } from '../../../config/logger.js';
import { ensureIndexes } from '../../../db/models/index.js';
import type { AccountWorkflowTarget } from '../../../web/accounts/workflow-client.js';
import { createApp, type AppDeps } from '../../../web/app.js';
import { openDatabase, startWorker, temporalClient, testConfig, uniqueName, type RunningWorker, type TestDatabase } from '../../helpers/integration.js';
import { lifecycleActivitiesFor, openSandbox, sandboxAdapters, type Owner, type Sandbox } from '../../helpers/lifecycle.js';

// Driving the dashboard over HTTP like a browser: a cookie jar per user, the CSRF token read from
// the page's form, as a browser would post it.

export type Agent = ReturnType<typeof request.agent>;

export interface WebHarness {
  config: Config;
  db: TestDatabase;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/** An app on its own database. Temporal is a lazy client: these pages never reach it. */
export async function startWeb(env: Record<string, string> = {}, extra: Partial<AppDeps> = {}): Promise<WebHarness> {
  const config = testConfig(env);
  const db = await openDatabase(config);
  await ensureIndexes(db.models);
  const app = webApp(config, db, extra);
  return { config, db, app, close: () => db.close() };
}

/**
 * Every test file registers its users from one address; the registration limits are exercised by
 * their own tests (auth-email.test.ts), so here they are out of the way. Mail goes through a real
 * nodemailer transport that builds each message and delivers it nowhere; tests that read the links
 * pass a mailer to a local SMTP server.
 */
export function webApp(config: Config, db: TestDatabase, extra: Partial<AppDeps> = {}) {
  return createApp({
    config,
    models: db.models,
    temporal: new Client({ namespace: config.temporal.namespace }),
    logger: createLogger(config.log, 'web'),
    readiness: {},
    emailLimits: { perAddress: 100_000, perEmail: 1000 },
    mailer: createTransport({ jsonTransport: true }),
    ...extra,
  });
}

export function csrfTokenIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('the page has no CSRF token');
  return token;
}

/** The CSRF token of the session behind `agent`, read from a page it can see. */
export async function csrfToken(agent: Agent, page = '/login'): Promise<string> {
  const response = await agent.get(page).expect(200);
  return csrfTokenIn(response.text);
}

export interface TestUser {
  agent: Agent;
  email: string;
  password: string;
  name: string;
  id: string;
}

/**
 * A registered, logged-in user. The address is confirmed in the database here: following the
 * emailed link is what auth-email.test.ts tests.
 */
export async function registerUser(harness: Pick<WebHarness, 'app' | 'db'>, input: { name?: string; penName?: string } = {}): Promise<TestUser> {
  const agent = request.agent(harness.app);
  const email = `${uniqueName('user')}@example.com`;
  const password = 'correct horse battery';
  const name = input.name ?? 'Ada Writer';
  const token = await csrfToken(agent, '/register');
  await agent
    .post('/register')
    .type('form')
    .send({ _csrf: token, name, email, password, penName: input.penName ?? '' })
    .expect(303)
    .expect('location', '/login');
  await harness.db.models.User.updateOne({ email }, { $set: { emailVerifiedAt: new Date() } });
  await logInAs(agent, email, password);
  const user = await harness.db.models.User.findOne({ email }).lean();
  expect(user).toBeTruthy();
  return { agent, email, password, name, id: user!._id };
}

export async function logInAs(agent: Agent, email: string, password: string): Promise<void> {
  const token = await csrfToken(agent, '/login');
  await agent.post('/login').type('form').send({ _csrf: token, email, password }).expect(303).expect('location', '/connections');
}

/** A registered user moved to a paid plan, with the owner (their first pen name) that account and post helpers take. */
export async function registerPayingUser(harness: WebHarness, plan = 'growth'): Promise<{ user: TestUser; owner: Owner }> {
  const user = await registerUser(harness);
  await harness.db.models.User.updateOne({ _id: user.id }, { $set: { plan } });
  const penName = (await penNamesOf(harness, user.id))[0]!;
  return { user, owner: { ownerId: user.id, penNameId: penName._id, penName: penName.name } };
}

/** Posts a form from a page the agent can see, with that page's CSRF token. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, from = '/connections') {
  const token = await csrfToken(agent, from);
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
}

export async function penNamesOf(harness: WebHarness, userId: string) {
  return harness.db.models.PenName.find({ ownerId: userId }).sort({ createdAt: 1 }).lean();
}

/** The dashboard wired to everything real: database, sandbox platforms, the dev server and a worker. */
export interface LiveWeb extends WebHarness {
  sandbox: Sandbox;
  temporal: { client: Client; close(): Promise<void> };
  worker: RunningWorker;
}

export async function startLiveWeb(config: Config, workflowDefaults: Pick<AccountWorkflowTarget, 'overdueDecisionMs'> = {}): Promise<LiveWeb> {
  const db = await openDatabase(config);
  await ensureIndexes(db.models);
  const sandbox = await openSandbox();
  const temporal = await temporalClient(config);
  const worker = await startWorker(config, lifecycleActivitiesFor(config, db, sandbox.url));
  // The dashboard's configuration names the sandbox that runs (its links and avatars are allowed).
  const app = webApp({ ...config, platforms: { ...config.platforms, sandboxUrl: sandbox.url } }, db, {
    adapters: sandboxAdapters(config, sandbox.url),
    workflows: { client: temporal.client, taskQueue: config.temporal.taskQueue, ...workflowDefaults },
  });
  return {
    config,
    db,
    app,
    sandbox,
    temporal,
    worker,
    async close() {
      await worker.stop();
      await temporal.close();
      await sandbox.close();
      await db.close();
    },
  };
}
