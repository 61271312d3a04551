import type { Client } from '@temporalio/client';
import { createActivities, type Activities } from '../../activities/index.js';
import type { Config } from '../../config/index.js';
import { createCredentialStore, type CredentialStore } from '../../db/credentials.js';
import { createAdapters } from '../../platforms/registry.js';
import { createPkce } from '../../platforms/oauth.js';
import type { PlatformAdapter, PlatformId } from '../../platforms/types.js';
import { approveConsent, SandboxClient } from '../../sandbox/client.js';
import { startSandbox } from '../../sandbox/server.js';
import { completeConnection, type CompletedConnection } from '../../web/accounts/complete-connection.js';
import type { AccountWorkflowTarget } from '../../web/accounts/workflow-client.js';
import type { TestDatabase } from './integration.js';

// Builds the real lifecycle stack around a test: sandbox platforms, adapters pointed at them,
// activities on a real database, and the same connect path the dashboard uses.

export interface Sandbox {
  url: string;
  control: SandboxClient;
  close(): Promise<void>;
}

export async function openSandbox(): Promise<Sandbox> {
  const sandbox = await startSandbox({ port: 0 });
  return { url: sandbox.url, control: new SandboxClient(sandbox.url), close: () => sandbox.close() };
}

export function sandboxAdapters(config: Config, sandboxUrl: string) {
  return createAdapters({
    mode: 'sandbox',
    sandboxUrl,
    clients: config.platforms.clients,
    linkedinPartnerRefresh: config.platforms.linkedinPartnerRefresh,
    timeoutMs: 5000,
  });
}

export function lifecycleActivitiesFor(config: Config, db: TestDatabase, sandboxUrl: string, extra: Partial<Parameters<typeof createActivities>[0]> = {}): Activities {
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
  const user = await db.models.User.create({ email, name: 'Test Owner', plan: 'growth' });
  const penName = await db.models.PenName.create({ ownerId: user._id, name: 'Morning Notes' });
  return { ownerId: String(user._id), penNameId: String(penName._id), penName: penName.name };
}

/** Runs the platform's OAuth consent in the sandbox and completes the connection as the dashboard does. */
export async function connectThroughSandbox(options: {
  config: Config;
  db: TestDatabase;
  client: Client;
  sandboxUrl: string;
  owner: Owner;
  platform: PlatformId;
  identity?: string;
  workflowDefaults?: Pick<AccountWorkflowTarget, 'warningLeadMs' | 'historyEventLimit' | 'overdueDecisionMs'>;
}): Promise<CompletedConnection & { store: CredentialStore; accessToken: string; refreshToken?: string }> {
  const adapter = sandboxAdapters(options.config, options.sandboxUrl)[options.platform] as PlatformAdapter;
  const redirectUri = `${options.config.web.publicUrl}/connect/${options.platform}/callback`;
  const pkce = createPkce();
  const authorizeUrl = adapter.authorizationUrl({ state: 'test-state', redirectUri, codeChallenge: pkce.challenge });
  const redirect = new URL(await approveConsent(authorizeUrl, options.identity ? { identity: options.identity } : {}));
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`consent did not return a code: ${redirect.toString()}`);
  const exchanged = await adapter.exchangeCode({ code, redirectUri, codeVerifier: pkce.verifier });
  if (exchanged.kind !== 'ok') throw new Error(`code exchange failed: ${JSON.stringify(exchanged)}`);
  const identity = await adapter.identity(exchanged.value);
  if (identity.kind !== 'ok') throw new Error(`identity lookup failed: ${JSON.stringify(identity)}`);
  const store = createCredentialStore(options.db.models, options.config.tokenEncryptionKey);
  const completed = await completeConnection(
    {
      models: options.db.models,
      store,
      workflows: { client: options.client, taskQueue: options.config.temporal.taskQueue, ...options.workflowDefaults },
    },
    { ...options.owner, platform: options.platform, identity: identity.value, tokens: exchanged.value },
  );
  return { ...completed, store, accessToken: exchanged.value.accessToken, refreshToken: exchanged.value.refreshToken };
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
