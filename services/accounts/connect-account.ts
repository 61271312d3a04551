import type { Config } from '../../config/index.js';
import { findAccountOfIdentity, markDisconnected } from '../../db/accounts.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import { slotHolderFor } from '../../db/models/plan-slot.js';
import { releaseSlot } from '../../db/plan-slots.js';
import type { Identity, IssuedTokens, PlatformId } from '../../platforms/types.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';
import { claimSlotForPlan } from '../plans/slots.js';
import { completeConnection, type CompletedConnection } from './complete-connection.js';

// The end of every connect flow: take a plan slot for the identity (a reconnect already holds
// one), store the account and its tokens, and hand them to the account's workflow. The slot is
// given back when a new connection fails before the workflow has it.

export interface ConnectDeps {
  config: Pick<Config, 'plans'>;
  models: Models;
  store: CredentialStore;
  workflows: AccountWorkflowTarget;
}

export type ConnectOutcome = ({ ok: true } & CompletedConnection) | { ok: false; problem: 'limit'; limit: number };

export async function connectAccount(
  deps: ConnectDeps,
  input: { ownerId: string; penNameId: string; penName: string; platform: PlatformId; identity: Identity; tokens: IssuedTokens },
): Promise<ConnectOutcome> {
  const identity = { penNameId: input.penNameId, platform: input.platform, externalId: input.identity.externalId };
  const holder = slotHolderFor(identity);
  const claim = await claimSlotForPlan(deps.models, deps.config.plans, { ownerId: input.ownerId, holder });
  if (!claim.ok) return { ok: false, problem: 'limit', limit: claim.limit };
  // Only a new claim is undone on failure, and only then does the account as it was matter (a reconnect skips the two reads).
  const existing = claim.alreadyHeld ? undefined : await findAccountOfIdentity(deps.models, identity);
  try {
    return { ok: true, ...(await completeConnection(deps, input)) };
  } catch (error) {
    if (!claim.alreadyHeld) {
      // A new connection that never reached its workflow: leave nothing behind that looks connected.
      const account = await findAccountOfIdentity(deps.models, identity);
      if (account && (!existing || existing.disconnectedAt)) {
        await deps.store.deleteCredentials(account._id);
        await markDisconnected(deps.models, account._id, new Date());
      }
      await releaseSlot(deps.models, { ownerId: input.ownerId, holder });
    }
    throw error;
  }
}
