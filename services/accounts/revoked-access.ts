import type { Logger } from '../../config/logger.js';
import { accountsOfPlatformUser } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformId } from '../../platforms/types.js';
import type { Reason } from '../../workflows/lifecycle/types.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// A verified "access removed" notice reaches every connected account it covers: the account's
// workflow gets `revoked` with the platform's reason and expires the account.

export interface RemovedAccess {
  /** Platforms the notice is for (one Meta app may serve Facebook and Instagram). */
  platforms: PlatformId[];
  /** The platform's user id: Meta's app-scoped login user id, TikTok's open_id, the Threads user id. */
  userId: string;
  /** Epoch seconds of the removal when the platform says; accounts (re)connected after it are left alone. */
  removedAtSec?: number;
  reasonFor(platform: PlatformId): Reason;
}

export interface SignalDeps {
  models: Models;
  workflows: AccountWorkflowTarget;
  logger: Logger;
}

export interface SignalOutcome {
  signalled: string[];
  /** Accounts whose workflow does not exist (or has ended). */
  withoutWorkflow: string[];
}

export class SignalFailedError extends Error {
  constructor(readonly accountIds: string[], cause: unknown) {
    super(`could not signal ${accountIds.length} account workflow(s)`, { cause });
    this.name = 'SignalFailedError';
  }
}

export async function signalRemovedAccess(deps: SignalDeps, removed: RemovedAccess): Promise<SignalOutcome> {
  // A delivery that arrives late (or again) must not expire an account reconnected since; Meta and TikTok timestamps are whole seconds.
  const connectedBy = removed.removedAtSec === undefined ? undefined : new Date((removed.removedAtSec + 1) * 1000);
  const accounts = await accountsOfPlatformUser(deps.models, { platforms: removed.platforms, userId: removed.userId, ...(connectedBy ? { connectedBy } : {}) });
  const client = new AccountWorkflowClient(deps.workflows);

  const outcome: SignalOutcome = { signalled: [], withoutWorkflow: [] };
  const failed: string[] = [];
  let firstError: unknown;
  await Promise.all(
    accounts.map(async (account) => {
      try {
        const answer = await client.revoked(account._id, removed.reasonFor(account.platform));
        if (answer.ok) {
          outcome.signalled.push(account._id);
        } else {
          deps.logger.warn({ accountId: account._id, platform: account.platform }, 'webhook: account has no running workflow; nothing to signal');
          outcome.withoutWorkflow.push(account._id);
        }
      } catch (error) {
        failed.push(account._id);
        firstError ??= error;
      }
    }),
  );
  if (failed.length) throw new SignalFailedError(failed, firstError);
  return outcome;
}
