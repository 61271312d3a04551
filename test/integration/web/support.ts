import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { createTransport } from 'nodemailer';
import { createMailer } from '../../../services/mailer.js';
import { startMailCatcher, type MailCatcher } from '../../../tools/mail-catcher.js';
import request from 'supertest';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config } from '../../../config/index.js';
import { createLogger } from '../../../config/logger.js';
import { ensureIndexes } from '../../../db/models/index.js';
import { accountWorkflowTargetFor, type AccountWorkflowTarget } from '../../../services/account-workflows/target.js';
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

/** Extra app dependencies, or a function of the config that makes them. */
export type WebExtras = Partial<AppDeps> | ((config: Config) => Partial<AppDeps>);

/** An app on its own database. Temporal is a lazy client: these pages never reach it. */
export async function startWeb(env: Record<string, string> = {}, extra: WebExtras = {}): Promise<WebHarness> {
  const config = testConfig(env);
  const db = await openDatabase(config);
  await ensureIndexes(db.models);
  const app = webApp(config, db, typeof extra === 'function' ? extra(config) : extra);
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
  /** A local SMTP server catching the dashboard's email (confirmation and reset links). */
  mail: MailCatcher;
  /** With `listen`: the dashboard's origin, e.g. http://127.0.0.1:41234 (also `config.web.publicUrl`). */
  url?: string;
}

export interface LiveWebOptions {
  /** Settings on top of the test defaults. */
  env?: Record<string, string>;
  /** Lifecycle settings of new account workflows, on top of the configured ones. */
  workflowDefaults?: Pick<AccountWorkflowTarget, 'warningLeadMs' | 'overdueDecisionMs'>;
  /**
   * Serve the app on a real port, with PUBLIC_URL and SANDBOX_URL pointing at the live servers so
   * OAuth redirects come back and CSP allows sandbox avatars (what a browser needs).
   */
  listen?: boolean;
}

/** Starts the live stack; everything started is stopped in reverse order by `close`, also when starting fails halfway. */
export async function startLiveWeb(options: LiveWebOptions = {}): Promise<LiveWeb> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    while (closers.length > 0) await closers.pop()!();
  };
  try {
    const server = options.listen ? await listening(closers) : undefined;
    const sandbox = await openSandbox();
    closers.push(() => sandbox.close());
    const served: Record<string, string> = server ? { PUBLIC_URL: server.url, WEB_PORT: String(server.port), PLATFORM_MODE: 'sandbox', SANDBOX_URL: sandbox.url } : {};
    // The dashboard's configuration names the sandbox that runs (its links and avatars are allowed).
    const config = testConfig({ SANDBOX_URL: sandbox.url, ...served, ...options.env });
    const db = await openDatabase(config);
    closers.push(() => db.close());
    await ensureIndexes(db.models);
    const temporal = await temporalClient(config);
    closers.push(() => temporal.close());
    const worker = await startWorker(config, lifecycleActivitiesFor(config, db, sandbox.url));
    closers.push(() => worker.stop());
    const mail = await startMailCatcher();
    closers.push(() => mail.close());
    const app = webApp(config, db, {
      mailer: createMailer({ smtpUrl: mail.url, from: config.email.from }),
      temporal: temporal.client,
      adapters: sandboxAdapters(config, sandbox.url),
      workflows: { ...accountWorkflowTargetFor(temporal.client, config), ...options.workflowDefaults },
    });
    server?.server.on('request', app);
    return { config, db, app, sandbox, temporal, worker, mail, ...(server ? { url: server.url } : {}), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function listening(closers: (() => Promise<void>)[]): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}`, port };
}

/**
 * The live stack for the tests of one `describe`: started by its `beforeAll`, stopped by its
 * `afterAll`. Read the answer's fields inside tests, not while the suite is being declared.
 */
export function useLiveWeb(options: LiveWebOptions = {}): LiveWeb {
  const web = {} as LiveWeb;
  beforeAll(async () => {
    Object.assign(web, await startLiveWeb(options));
  }, 60_000);
  afterAll(() => web.close?.());
  return web;
}

/** A dashboard on its own database for the tests of one `describe` (see `startWeb`); filled in by its `beforeAll`. */
export function useWeb(env: Record<string, string> = {}, extra: WebExtras = {}): WebHarness {
  const web = {} as WebHarness;
  beforeAll(async () => {
    Object.assign(web, await startWeb(env, extra));
  });
  afterAll(() => web.close?.());
  return web;
}
