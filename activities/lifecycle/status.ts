import { writeStatus } from '../../db/accounts.js';
import type { Account, AccountStatus } from '../../db/models/account.js';
import type { StoredStatusReason } from '../../db/models/reason.js';
import { projectionAfter, type RecordRequest } from '../../workflows/lifecycle/projection.js';
import type { LifecycleEvent, Reason } from '../../workflows/lifecycle/types.js';
import type { AccountSummary, StatusProjection } from './contract.js';
import { activityLog, penNameOf, readStillCurrent, requireAccount, type LifecycleContext } from './deps.js';

// The account as the workflow describes it, and the status projection pages read.

const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

/** The reason as stored: its moment a Date, every absent field left out (a legacy `message` kept). */
export function storedReason(reason: Reason): StoredStatusReason {
  const { code, at, count, detail, cause, message } = reason;
  return {
    code,
    ...(at === undefined ? {} : { at: new Date(at) }),
    ...(count === undefined ? {} : { count }),
    ...(detail === undefined ? {} : { detail }),
    ...(cause === undefined ? {} : { cause: storedReason(cause) }),
    ...(message === undefined ? {} : { message }),
  };
}

/** The account as this attempt read it, and when (epoch ms). */
export interface AttemptRead {
  account: Pick<Account, 'status' | 'connectedAt'>;
  at: number;
}

/**
 * Writes the status projection unless a newer one (higher sequence) is stored. `read`: the account
 * as this attempt already read it, used instead of reading again while it is current (readStillCurrent).
 */
export async function writeStatusProjection(context: Pick<LifecycleContext, 'models' | 'clock' | 'statusObserver'>, projection: StatusProjection, read?: AttemptRead): Promise<void> {
  const status: AccountStatus = {
    state: projection.status,
    reason: projection.reason ? storedReason(projection.reason) : undefined,
    tokenExpiresAt: date(projection.tokenExpiresAt),
    grantExpiresAt: date(projection.grantExpiresAt),
    warningDeadline: date(projection.warningDeadline),
    nextAction: projection.nextAction,
    nextActionAt: date(projection.nextActionAt),
    lastCheckedAt: date(projection.lastCheckedAt),
    nextCheckAt: date(projection.nextCheckAt),
    lastRenewedAt: date(projection.lastRenewedAt),
    queuePaused: projection.queuePaused,
    sequence: projection.sequence,
    updatedAt: context.clock(),
  };
  for (const key of Object.keys(status) as (keyof AccountStatus)[]) if (status[key] === undefined) delete status[key];
  const applied = await writeStatus(context.models, projection.accountId, status, context.statusObserver, read && readStillCurrent(read.at) ? read.account : undefined);
  if (!applied) activityLog().debug('status not written (a newer one is stored, or the account is gone)', { accountId: projection.accountId, sequence: projection.sequence });
}

/**
 * One activity per operation: the projection the workflow would record once the operation ended
 * with `event` (nothing when nothing users see changed), written here with the reserved sequence.
 */
export async function recordOutcome(context: LifecycleContext, accountId: string, record: RecordRequest | undefined, event: LifecycleEvent, read?: AttemptRead): Promise<void> {
  if (!record) return;
  const projection = projectionAfter(record.lifecycle, event);
  if (projection) await writeStatusProjection(context, { ...projection, accountId, sequence: record.sequence }, read);
}

/** The account as the workflow describes it (one read of its pen name's name). */
export async function summaryOf(models: LifecycleContext['models'], account: Account): Promise<AccountSummary> {
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
}

export function statusActivities(context: LifecycleContext) {
  const { models } = context;
  return {
    describeAccount: async (accountId: string): Promise<AccountSummary> => summaryOf(models, await requireAccount(models, accountId)),

    recordStatus: (projection: StatusProjection): Promise<void> => writeStatusProjection(context, projection),
  };
}
