import type { Credentials } from '../../platforms/types.js';
import type { AccountRef } from '../../platforms/types.js';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { consent, type Consented } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool } from '../shared/pool.js';
import type { PublishContext } from './context.js';

// Unmeasured setup: sandbox identities and their OAuth consents as a user runs them; the Tether
// set is connected through the dashboard's path (each gets a running account workflow), the
// baseline set only keeps its tokens for direct adapter calls.

/** A connected account, in lane order: post i of a round goes to lane i % M. */
export interface ConnectedAccount {
  accountId: string;
  externalId: string;
  handle: string;
}

/** An identity the baseline publishes to directly, with the credentials the adapter needs. */
export interface DirectAccount {
  ref: AccountRef;
  credentials: Credentials;
}

async function consentedIdentities(context: PublishContext, prefix: string, count: number): Promise<Consented[]> {
  const { sandbox, adapter, config, options } = context;
  const run = await runPool(Array.from({ length: count }, (_, i) => i), options.setupConcurrency, async (i) => {
    const created = await sandbox.control.createIdentity({ platform: PLATFORM, handle: `${prefix}_${context.runId}_${i}`, displayName: `${prefix} ${i}` });
    return consent(adapter, config, created.id);
  });
  if (run.failures > 0) throw new Error(`creating or consenting ${prefix} identities failed ${run.failures} times: ${run.firstError}`);
  return run.results as Consented[];
}

export async function connectAccounts(context: PublishContext, count: number): Promise<ConnectedAccount[]> {
  const { models, store, client, accountTaskQueue, owner, options } = context;
  const consented = await consentedIdentities(context, 'pub', count);
  const run = await runPool(consented, options.setupConcurrency, async ({ identity, tokens }) => {
    const completed = await completeConnection(
      { models, store, workflows: { client, taskQueue: accountTaskQueue } },
      { ...owner, platform: PLATFORM, identity, tokens },
    );
    if (!completed.result.accepted) throw new Error(`connect rejected: ${JSON.stringify(completed.result.rejection)}`);
    return { accountId: completed.accountId, externalId: identity.externalId, handle: identity.handle };
  });
  if (run.failures > 0) throw new Error(`connecting accounts failed ${run.failures} times: ${run.firstError}`);
  return run.results as ConnectedAccount[];
}

export async function directAccounts(context: PublishContext, count: number): Promise<DirectAccount[]> {
  const consented = await consentedIdentities(context, 'raw', count);
  const issuedAt = new Date().toISOString();
  return consented.map(({ identity, tokens }) => ({
    ref: { platform: PLATFORM, externalId: identity.externalId, handle: identity.handle, meta: identity.meta ?? {} },
    credentials: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, issuedAt },
  }));
}
