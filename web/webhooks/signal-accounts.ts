import type { Client } from '@temporalio/client';
import type { Logger } from '../../config/logger.js';
import { FACEBOOK_LOGIN_PLATFORMS } from '../../db/accounts.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformId } from '../../platforms/types.js';
import { accountWorkflowId, revokedSignal } from '../../workflows/account/messages.js';
import type { Reason } from '../../workflows/lifecycle/types.js';

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
  client: Client;
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
  const loginPlatforms = removed.platforms.filter((p) => FACEBOOK_LOGIN_PLATFORMS.includes(p));
  const filter: Record<string, unknown> = {
    disconnectedAt: { $exists: false },
    $or: [
      { platform: { $in: removed.platforms }, externalId: removed.userId },
      // Pages and Instagram accounts keep the Facebook login user they were connected through.
      ...(loginPlatforms.length ? [{ platform: { $in: loginPlatforms }, 'meta.userId': removed.userId }] : []),
    ],
  };
  // A delivery that arrives late (or again) must not expire an account reconnected since; Meta and TikTok timestamps are whole seconds.
  if (removed.removedAtSec !== undefined) filter.connectedAt = { $lte: new Date((removed.removedAtSec + 1) * 1000) };
  const accounts = await deps.models.Account.find(filter, { _id: 1, platform: 1 }).lean();

  const outcome: SignalOutcome = { signalled: [], withoutWorkflow: [] };
  const failed: string[] = [];
  let firstError: unknown;
  await Promise.all(
    accounts.map(async (account) => {
      try {
        await deps.client.workflow.getHandle(accountWorkflowId(account._id)).signal(revokedSignal, { reason: removed.reasonFor(account.platform) });
        outcome.signalled.push(account._id);
      } catch (error) {
        if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
          deps.logger.warn({ accountId: account._id, platform: account.platform }, 'webhook: account has no running workflow; nothing to signal');
          outcome.withoutWorkflow.push(account._id);
          return;
        }
        failed.push(account._id);
        firstError ??= error;
      }
    }),
  );
  if (failed.length) throw new SignalFailedError(failed, firstError);
  return outcome;
}
