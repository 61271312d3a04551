import { writeStatus } from '../../db/accounts.js';
import type { AccountStatus } from '../../db/models/account.js';
import type { AccountSummary, StatusProjection } from './contract.js';
import { activityLog, penNameOf, requireAccount, type LifecycleContext } from './deps.js';

// The account as the workflow describes it, and the status projection pages read.

const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

export function statusActivities(context: LifecycleContext) {
  const { models, clock } = context;
  return {
    async describeAccount(accountId: string): Promise<AccountSummary> {
      const account = await requireAccount(models, accountId);
      const penName = await penNameOf(models, account);
      return {
        accountId: account._id,
        platform: account.platform,
        handle: account.handle,
        displayName: account.displayName,
        penNameId: account.penNameId,
        penName,
        ownerId: account.ownerId,
      };
    },

    async recordStatus(projection: StatusProjection): Promise<void> {
      const status: AccountStatus = {
        state: projection.status,
        reason: projection.reason ? { code: projection.reason.code, message: projection.reason.message } : undefined,
        tokenExpiresAt: date(projection.tokenExpiresAt),
        warningDeadline: date(projection.warningDeadline),
        nextAction: projection.nextAction,
        nextActionAt: date(projection.nextActionAt),
        queuePaused: projection.queuePaused,
        sequence: projection.sequence,
        updatedAt: clock(),
      };
      for (const key of Object.keys(status) as (keyof AccountStatus)[]) if (status[key] === undefined) delete status[key];
      const applied = await writeStatus(models, projection.accountId, status);
      if (!applied) activityLog().debug('status not written (a newer one is stored, or the account is gone)', { accountId: projection.accountId, sequence: projection.sequence });
    },
  };
}
