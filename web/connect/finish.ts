import type { Config } from '../../config/index.js';
import { markDisconnected } from '../../db/accounts.js';
import type { CredentialStore } from '../../db/credentials.js';
import type { Models } from '../../db/models/index.js';
import { PLATFORM_NAMES, type Identity, type IssuedTokens, type PlatformId } from '../../platforms/types.js';
import { completeConnection } from '../accounts/complete-connection.js';
import type { AccountWorkflowTarget } from '../accounts/workflow-client.js';
import { claimSlotForPlan, releaseSlot } from '../plans/slots.js';
import { slotHolderFor } from '../../db/models/plan-slot.js';
import { displayHandle } from '../../platforms/handle.js';

// The end of every connect flow: take a plan slot for the identity (a reconnect already holds
// one), store the account and its tokens, and hand them to the account's workflow. The slot is
// given back when a new connection fails before the workflow has it.

export interface FinishDeps {
  config: Config;
  models: Models;
  store: CredentialStore;
  workflows: AccountWorkflowTarget;
}

export type FinishResult =
  | { ok: true; accountId: string; created: boolean; accepted: boolean; message: string; hasOverduePosts: boolean }
  | { ok: false; problem: 'limit'; message: string };

export async function finishConnection(
  deps: FinishDeps,
  input: { ownerId: string; penNameId: string; penName: string; platform: PlatformId; identity: Identity; tokens: IssuedTokens },
): Promise<FinishResult> {
  const holder = slotHolderFor({ penNameId: input.penNameId, platform: input.platform, externalId: input.identity.externalId });
  const claim = await claimSlotForPlan(deps.models, deps.config.plans, { ownerId: input.ownerId, holder });
  const name = PLATFORM_NAMES[input.platform];
  const who = displayHandle(input.identity.handle);
  if (!claim.ok) {
    return {
      ok: false,
      problem: 'limit',
      message:
        claim.limit === 0
          ? `${who} on ${name} was not connected: your plan does not include connected accounts. Choose a plan on the Billing page.`
          : `${who} on ${name} was not connected: your plan allows ${claim.limit} connected account${claim.limit === 1 ? '' : 's'} and all are in use. Upgrade on the Billing page or disconnect one first.`,
    };
  }
  const existing = await deps.models.Account.findOne({ penNameId: input.penNameId, platform: input.platform, externalId: input.identity.externalId }, { _id: 1, disconnectedAt: 1 }).lean();
  let completed;
  try {
    completed = await completeConnection(deps, input);
  } catch (error) {
    if (!claim.alreadyHeld) {
      // A new connection that never reached its workflow: leave nothing behind that looks connected.
      const account = await deps.models.Account.findOne({ penNameId: input.penNameId, platform: input.platform, externalId: input.identity.externalId }, { _id: 1 }).lean();
      if (account && (!existing || existing.disconnectedAt)) {
        await deps.store.deleteCredentials(account._id);
        await markDisconnected(deps.models, account._id, new Date());
      }
      await releaseSlot(deps.models, { ownerId: input.ownerId, holder });
    }
    throw error;
  }
  const { result, created } = completed;
  const verb = created ? 'Connected' : 'Reconnected';
  const message = result.accepted
    ? `${verb} ${who} on ${name}: ${describeState(result.state.status)}.`
    : `${who} on ${name} was stored, but ${name} refused the new credentials: ${result.rejection.message}`;
  const hasOverduePosts = (result.state.queue?.overdue?.postIds.length ?? 0) > 0;
  return { ok: true, accountId: completed.accountId, created, accepted: result.accepted, message, hasOverduePosts };
}

function describeState(status: string): string {
  switch (status) {
    case 'active':
      return 'active';
    case 'expiring':
      return 'active, but it will need a reconnect soon';
    case 'expired':
      return 'the token is not usable';
    default:
      return 'being checked';
  }
}
