import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { afterAll, beforeAll } from 'vitest';
import { createActivities, type Activities } from '../../activities/index.js';
import type { Config } from '../../config/index.js';
import { createCredentialStore, type CredentialStore } from '../../db/credentials.js';
import { createAdapters } from '../../platforms/registry.js';
import { createPkce } from '../../platforms/oauth.js';
import type { Identity, IssuedTokens, PlatformAdapter, PlatformId } from '../../platforms/types.js';
import { approveConsent, SandboxClient, type SettingsPatch, type SubscriptionType } from '../../sandbox/client.js';
import { startSandbox } from '../../sandbox/server.js';
import { completeConnection, type CompletedConnection } from '../../services/accounts/complete-connection.js';
import type { AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { openDatabase, startWorker, temporalClient, testConfig, type RunningWorker, type TestDatabase } from './integration.js';

// Builds the real lifecycle stack around a test: sandbox platforms, adapters pointed at them,
// activities on a real database, and the same connect path the dashboard uses.

export interface Sandbox {
  url: string;
  control: SandboxClient;
  close(): Promise<void>;
}

/** `before`: request handlers in front of the platforms (e.g. a fault timed to one request). */
export async function openSandbox(before: RequestHandler[] = []): Promise<Sandbox> {
  const sandbox = await startSandbox({ port: 0, before });
  return { url: sandbox.url, control: new SandboxClient(sandbox.url), close: () => sandbox.close() };
}

export function sandboxAdapters(config: Config, sandboxUrl: string) {
  return createAdapters({ ...config.platforms, mode: 'sandbox', sandboxUrl, timeoutMs: 5000 });
}

export type ActivityExtras = Partial<Parameters<typeof createActivities>[0]>;

export function lifecycleActivitiesFor(config: Config, db: TestDatabase, sandboxUrl: string, extra: ActivityExtras = {}): Activities {
  return createActivities({
    models: db.models,
    adapters: sandboxAdapters(config, sandboxUrl),
    config,
    workerIdentity: 'test-worker',
    ...extra,
  });
}

export interface Owner {
  ownerId: string;
  penNameId: string;
  penName: string;
}

export async function createOwner(db: TestDatabase, email = `owner-${Math.random().toString(36).slice(2)}@example.test`): Promise<Owner> {
  const user = await db.models.User.create({ email, name: 'Test Owner', plan: 'growth', emailVerifiedAt: new Date() });
  const penName = await db.models.PenName.create({ ownerId: user._id, name: 'Morning Notes' });
  return { ownerId: String(user._id), penNameId: String(penName._id), penName: penName.name };
}

export interface SandboxConnection extends CompletedConnection {
  store: CredentialStore;
  accessToken: string;
  refreshToken?: string;
  /** The sandbox identity that consented (its id is the platform's user id). */
  externalId: string;
}

/**
 * Runs the platform's OAuth consent in the sandbox and completes the connection as the dashboard does.
 * Consents as `identity` if given; otherwise as a new sandbox identity named `handle` if given;
 * otherwise as whichever identity the consent page picks.
 */
export interface ConsentOptions {
  config: Config;
  sandboxUrl: string;
  platform: PlatformId;
  identity?: string;
  handle?: string;
  /** X only, for a new identity created from `handle`. */
  subscriptionType?: SubscriptionType;
}

/** The platform's OAuth consent in the sandbox and the code exchange, as the dashboard's callback does them. */
export async function consentThroughSandbox(options: ConsentOptions): Promise<{ identity: Identity; tokens: IssuedTokens; externalId: string }> {
  const chosenIdentity =
    options.identity ??
    (options.handle === undefined
      ? undefined
      : (await new SandboxClient(options.sandboxUrl).createIdentity({ platform: options.platform, handle: options.handle, subscriptionType: options.subscriptionType })).id);
  const adapter = sandboxAdapters(options.config, options.sandboxUrl)[options.platform] as PlatformAdapter;
  const redirectUri = `${options.config.web.publicUrl}/connect/${options.platform}/callback`;
  const pkce = createPkce();
  const authorizeUrl = adapter.authorizationUrl({ state: 'test-state', redirectUri, codeChallenge: pkce.challenge });
  const redirect = new URL(await approveConsent(authorizeUrl, chosenIdentity ? { identity: chosenIdentity } : {}));
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`consent did not return a code: ${redirect.toString()}`);
  const exchanged = await adapter.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier });
  if (exchanged.kind !== 'ok') throw new Error(`code exchange failed: ${JSON.stringify(exchanged)}`);
  const identity = await adapter.identity(exchanged.value);
  if (identity.kind !== 'ok') throw new Error(`identity lookup failed: ${JSON.stringify(identity)}`);
  return { identity: identity.value, tokens: exchanged.value, externalId: chosenIdentity ?? identity.value.externalId };
}

/**
 * Runs the platform's OAuth consent in the sandbox and completes the connection as the dashboard does.
 * Consents as `identity` if given; otherwise as a new sandbox identity named `handle` if given;
 * otherwise as whichever identity the consent page picks.
 */
export async function connectThroughSandbox(
  options: ConsentOptions & {
    db: TestDatabase;
    client: Client;
    owner: Owner;
    workflowDefaults?: Pick<AccountWorkflowTarget, 'warningLeadMs' | 'historyEventLimit' | 'overdueDecisionMs' | 'healthCheckMs' | 'publishRenewalLeadMs'>;
  },
): Promise<SandboxConnection> {
  const consent = await consentThroughSandbox(options);
  const store = createCredentialStore(options.db.models, options.config.tokenEncryptionKey);
  const completed = await completeConnection(
    {
      models: options.db.models,
      store,
      workflows: { client: options.client, taskQueue: options.config.temporal.taskQueue, ...options.workflowDefaults },
    },
    { ...options.owner, platform: options.platform, identity: consent.identity, tokens: consent.tokens },
  );
  return {
    ...completed,
    store,
    accessToken: consent.tokens.accessToken,
    refreshToken: consent.tokens.refreshToken,
    externalId: consent.externalId,
  };
}

type ConnectOptions = Parameters<typeof connectThroughSandbox>[0];

export interface LifecycleWorld {
  /** Available at once (a fresh task queue and database name); everything else after beforeAll. */
  config: Config;
  db: TestDatabase;
  sandbox: Sandbox;
  client: Client;
  owner: Owner;
  /** connectThroughSandbox within this world, as its owner unless another is given. */
  connect(options: Omit<ConnectOptions, 'config' | 'db' | 'client' | 'sandboxUrl' | 'owner'> & { owner?: Owner }): Promise<SandboxConnection>;
}

/**
 * A test file's real lifecycle stack, started in beforeAll and closed in afterAll: database,
 * sandbox, Temporal client, a worker running the lifecycle activities, and one owner.
 */
export function useLifecycleWorld(
  options: {
    /** Applied to the sandbox before the worker starts (e.g. short token lifetimes). */
    sandboxSettings?: SettingsPatch;
    /** Request handlers in front of the sandbox's platforms. */
    sandboxBefore?: RequestHandler[];
    /** Extra activity dependencies, given the started world (e.g. `workflows` for reconcile). */
    activities?: (world: LifecycleWorld) => ActivityExtras;
  } = {},
): LifecycleWorld {
  const world = {
    config: testConfig(),
    connect: ({ owner, ...rest }) =>
      connectThroughSandbox({ config: world.config, db: world.db, client: world.client, sandboxUrl: world.sandbox.url, owner: owner ?? world.owner, ...rest }),
  } as LifecycleWorld;
  let worker: RunningWorker | undefined;
  let temporal: Awaited<ReturnType<typeof temporalClient>> | undefined;
  beforeAll(async () => {
    world.db = await openDatabase(world.config);
    world.sandbox = await openSandbox(options.sandboxBefore);
    if (options.sandboxSettings) await world.sandbox.control.configure(options.sandboxSettings);
    temporal = await temporalClient(world.config);
    world.client = temporal.client;
    worker = await startWorker(world.config, lifecycleActivitiesFor(world.config, world.db, world.sandbox.url, options.activities?.(world)));
    world.owner = await createOwner(world.db);
  });
  afterAll(async () => {
    await worker?.stop();
    await temporal?.close();
    await world.sandbox?.close();
    await world.db?.close();
  });
  return world;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}
