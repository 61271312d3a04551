// Shared setup for the activity integration tests: a real database, an in-process sandbox,
// adapters pointed at it, and accounts connected the way the connect flow will do it.

import type { Info } from '@temporalio/activity';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { lifecycleActivities, type LifecycleDeps } from '../../../activities/lifecycle/index.js';
import type { LifecycleActivities } from '../../../activities/lifecycle/contract.js';
import type { Mailer } from '../../../activities/notify/email.js';
import type { Config } from '../../../config/index.js';
import { upsertConnectedAccount } from '../../../db/accounts.js';
import { createCredentialStore, type CredentialStore } from '../../../db/credentials.js';
import { ensureIndexes } from '../../../db/models/index.js';
import { createPkce } from '../../../platforms/oauth.js';
import { createAdapters } from '../../../platforms/registry.js';
import type { Identity, IssuedTokens, Outcome, PlatformAdapter, PlatformId } from '../../../platforms/types.js';
import { approveConsent, SandboxClient } from '../../../sandbox/client.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server.js';
import { openDatabase, testConfig, uniqueName, type TestDatabase } from '../../helpers/integration.js';

export interface ActivityWorld {
  config: Config;
  db: TestDatabase;
  sandbox: RunningSandbox;
  control: SandboxClient;
  adapters: Partial<Record<PlatformId, PlatformAdapter>>;
  store: CredentialStore;
  ownerId: string;
  penNameId: string;
  /** Lifecycle activities with these deps (overrides replace the defaults). */
  activities(overrides?: Partial<LifecycleDeps>): LifecycleActivities;
}

const OAUTH_PLATFORMS: PlatformId[] = ['x', 'linkedin', 'facebook', 'instagram', 'threads', 'youtube', 'pinterest', 'tiktok'];

export function useActivityWorld(options: { configOverrides?: () => Record<string, string>; mailer?: () => Mailer | undefined } = {}): ActivityWorld {
  const world = {} as ActivityWorld;
  beforeAll(async () => {
    world.sandbox = await startSandbox({ port: 0 });
    world.control = new SandboxClient(world.sandbox.url);
    world.config = testConfig({ PUBLIC_URL: 'https://tether.example', ...(options.configOverrides?.() ?? {}) });
    world.adapters = createAdapters({
      mode: 'sandbox',
      sandboxUrl: world.sandbox.url,
      clients: Object.fromEntries(OAUTH_PLATFORMS.map((id) => [id, { clientId: `sandbox-${id}-client`, clientSecret: `sandbox-${id}-secret` }])),
      linkedinPartnerRefresh: false,
      timeoutMs: 3_000,
    });
    world.db = await openDatabase(world.config);
    await ensureIndexes(world.db.models);
    world.store = createCredentialStore(world.db.models, world.config.tokenEncryptionKey);
    const user = await world.db.models.User.create({ email: `${uniqueName('owner')}@Example.com`, name: 'Owner', plan: 'free', emailVerifiedAt: new Date() });
    const penName = await world.db.models.PenName.create({ ownerId: user._id, name: 'Main' });
    world.ownerId = user._id;
    world.penNameId = penName._id;
    world.activities = (overrides = {}) =>
      lifecycleActivities({
        models: world.db.models,
        adapters: world.adapters,
        config: world.config,
        mailer: options.mailer?.(),
        workerIdentity: 'test-worker',
        ...overrides,
      });
  });
  afterAll(async () => {
    await world.db?.close();
    await world.sandbox?.close();
  });
  return world;
}

/** Everything activities logged in this file, so tests can check that no secret was logged. */
export const activityLogs: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];

const capturingLogger: Logger = {
  log: (level, message, meta) => void activityLogs.push({ level, message, meta }),
  trace: (message, meta) => capturingLogger.log('TRACE', message, meta),
  debug: (message, meta) => capturingLogger.log('DEBUG', message, meta),
  info: (message, meta) => capturingLogger.log('INFO', message, meta),
  warn: (message, meta) => capturingLogger.log('WARN', message, meta),
  error: (message, meta) => capturingLogger.log('ERROR', message, meta),
};

/** Runs an activity function inside a mock activity context (Context.current() works). */
export function inActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return inActivityWith({}, fn, ...args);
}

/** As inActivity, with some of the attempt's info (its timeouts) given. */
export function inActivityWith<A extends unknown[], R>(info: Partial<Info>, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment(info, { logger: capturingLogger }).run(fn, ...args);
}

export function expectOk<T>(outcome: Outcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

export interface ConnectedAccount {
  accountId: string;
  identity: Identity;
  tokens: IssuedTokens;
  version: number;
}

async function saveConnection(world: ActivityWorld, platform: PlatformId, tokens: IssuedTokens, identity: Identity): Promise<ConnectedAccount> {
  const { accountId } = await upsertConnectedAccount(world.db.models, { ownerId: world.ownerId, penNameId: world.penNameId, platform, identity });
  const version = await world.store.storeConnectedCredentials(accountId, tokens, new Date());
  return { accountId, identity, tokens, version };
}

/** OAuth connect through the sandbox consent page, stored like the connect flow will. */
export async function connectOAuth(world: ActivityWorld, platform: PlatformId, identity?: string): Promise<ConnectedAccount> {
  const adapter = world.adapters[platform]!;
  const pkce = createPkce();
  const redirectUri = 'http://localhost:3000/connect/callback';
  const url = adapter.authorizationUrl({ state: 'state-1', redirectUri, codeChallenge: pkce.challenge });
  const redirect = new URL(await approveConsent(url, identity ? { identity } : {}));
  const tokens = expectOk(await adapter.exchangeCode({ code: redirect.searchParams.get('code')!, redirectUri, codeVerifier: pkce.verifier }));
  return saveConnection(world, platform, tokens, expectOk(await adapter.identity(tokens)));
}

export async function connectBluesky(world: ActivityWorld): Promise<ConnectedAccount> {
  const session = expectOk(await world.adapters.bluesky!.createSession!({ identifier: 'alice.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' }));
  return saveConnection(world, 'bluesky', session.tokens, session.identity);
}
