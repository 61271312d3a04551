import { upsertConnectedAccount } from '../../db/accounts.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import type { Identity, IssuedTokens, PlatformId } from '../../platforms/types.js';
import type { ReconnectResult } from '../../workflows/account/messages.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

export interface CompletedConnection {
  accountId: string;
  created: boolean;
  result: ReconnectResult;
}

/**
 * The last step of every connect flow (OAuth callback, target choice, Bluesky app password):
 * upsert the account (an already-connected identity is the same account), store its tokens
 * encrypted, then hand them to the account's workflow and return its verdict.
 */
export async function completeConnection(
  deps: { models: Models; store: CredentialStore; workflows: AccountWorkflowTarget },
  input: { ownerId: string; penNameId: string; penName: string; platform: PlatformId; identity: Identity; tokens: IssuedTokens },
): Promise<CompletedConnection> {
  const { accountId, created } = await upsertConnectedAccount(deps.models, {
    ownerId: input.ownerId,
    penNameId: input.penNameId,
    platform: input.platform,
    identity: input.identity,
  });
  await deps.store.storeConnectedCredentials(accountId, input.tokens, new Date(), { newAccount: created });
  const result = await new AccountWorkflowClient(deps.workflows).connect({
    accountId,
    platform: input.platform,
    handle: input.identity.handle,
    displayName: input.identity.displayName,
    penNameId: input.penNameId,
    penName: input.penName,
    ownerId: input.ownerId,
  });
  return { accountId, created, result };
}
