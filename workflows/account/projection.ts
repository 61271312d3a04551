import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { AccountSummary } from '../../activities/lifecycle/contract.js';
import type { PlatformId } from '../../platforms/types.js';
import { describeNext } from '../lifecycle/schedule.js';
import type { LifecycleState, LifecycleStatus, NextAction, Reason } from '../lifecycle/types.js';
import { nextPublishAt, type OverdueHold, type PublishQueue } from '../publishing/queue.js';
import { NEXT_ACTION_AT, OWNER, PEN_NAME, PLATFORM, STATUS, TOKEN_EXPIRES_AT } from '../search-attributes.js';
import { recordStatus } from './activities.js';
import type { AccountStateView } from './messages.js';

// What the world sees of an account, computed once per look from its state: the view updates and
// the state query answer with, the status projection pages read from MongoDB, the search
// attributes operators filter on, and the current details Temporal UI shows.

export interface Snapshot {
  accountId: string;
  platform: PlatformId;
  /** `connecting` until the first credentials are taken. */
  status: LifecycleStatus | 'connecting';
  reason?: Reason;
  tokenExpiresAt?: number;
  warningDeadline?: number;
  next: NextAction;
  /** Posts wait while the account is expired, and go out after a reconnect. */
  queuePaused: boolean;
  queued: number;
  nextPublishAt?: number;
  overdue?: OverdueHold;
}

export function snapshotOf(accountId: string, platform: PlatformId | undefined, lifecycle: LifecycleState | undefined, queue: PublishQueue): Snapshot {
  return {
    accountId,
    platform: platform ?? 'x',
    status: lifecycle?.status ?? 'connecting',
    reason: lifecycle?.reason,
    tokenExpiresAt: lifecycle?.token.accessExpiresAt,
    warningDeadline: lifecycle?.warning?.deadline,
    next: lifecycle ? describeNext(lifecycle) : { action: 'checkCredentials' },
    queuePaused: lifecycle?.status === 'expired',
    queued: queue.entries.length,
    nextPublishAt: nextPublishAt(queue),
    overdue: queue.overdue,
  };
}

/** A snapshot of an account whose lifecycle has started: the only kind worth recording. */
export type RecordableSnapshot = Snapshot & { status: LifecycleStatus };

export const isRecordable = (snapshot: Snapshot): snapshot is RecordableSnapshot => snapshot.status !== 'connecting';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The answer of the state query and of the updates that report the account's state. */
export function stateView(snapshot: Snapshot): AccountStateView {
  const { overdue } = snapshot;
  return {
    accountId: snapshot.accountId,
    platform: snapshot.platform,
    status: snapshot.status,
    reason: snapshot.reason,
    tokenExpiresAt: iso(snapshot.tokenExpiresAt),
    nextAction: snapshot.next.action,
    nextActionAt: iso(snapshot.next.at),
    queuePaused: snapshot.queuePaused,
    queue: {
      queued: snapshot.queued,
      nextPublishAt: iso(snapshot.nextPublishAt),
      overdue: overdue && { postIds: overdue.postIds, decideBy: iso(overdue.decideBy)! },
    },
  };
}

/** Who the account is, for operators: set once when the workflow first starts. */
export function identityAttributes(account: AccountSummary): SearchAttributeUpdatePair[] {
  return [
    { key: PLATFORM, value: account.platform },
    { key: PEN_NAME, value: account.penName },
    { key: OWNER, value: account.ownerId },
  ];
}

function statusAttributes(snapshot: RecordableSnapshot): SearchAttributeUpdatePair[] {
  return [
    { key: STATUS, value: snapshot.status },
    { key: TOKEN_EXPIRES_AT, value: snapshot.tokenExpiresAt === undefined ? null : new Date(snapshot.tokenExpiresAt) },
    { key: NEXT_ACTION_AT, value: snapshot.next.at === undefined ? null : new Date(snapshot.next.at) },
  ];
}

/** A reason for operators: its code, count and time (UTC), the platform's words, and what it wraps. */
export function operatorReason(reason: Reason): string {
  const parts = [
    reason.code,
    reason.count === undefined ? undefined : `×${reason.count}`,
    reason.at === undefined ? undefined : new Date(reason.at).toISOString(),
    reason.detail === undefined ? undefined : `“${reason.detail}”`,
    reason.message === undefined ? undefined : `“${reason.message}”`,
  ];
  const line = parts.filter(Boolean).join(' ');
  return reason.cause ? `${line} (latest: ${operatorReason(reason.cause)})` : line;
}

/** Markdown for Temporal UI's current details: codes, UTC times and the platform's words. */
export function currentDetails(snapshot: Snapshot): string {
  const { next, tokenExpiresAt } = snapshot;
  const lines = [
    `**Status:** ${snapshot.status}`,
    snapshot.reason ? `**Reason:** ${operatorReason(snapshot.reason)}` : undefined,
    `**Next:** ${next.action}${next.at === undefined ? '' : ` at ${new Date(next.at).toISOString()}`}`,
    tokenExpiresAt === undefined ? '**Token:** does not expire' : `**Token expires:** ${new Date(tokenExpiresAt).toISOString()}`,
    snapshot.queued > 0 ? `**Queue:** ${snapshot.queued} post(s)${snapshot.queuePaused ? ', paused until reconnect' : ''}` : undefined,
  ];
  return lines.filter(Boolean).join('\n\n');
}

/**
 * Writes the status projection pages read (a write with a lower sequence than the stored one is
 * ignored), then the search attributes and current details, all from the same snapshot.
 */
export async function writeProjection(snapshot: RecordableSnapshot, sequence: number): Promise<void> {
  await recordStatus({
    accountId: snapshot.accountId,
    status: snapshot.status,
    reason: snapshot.reason,
    tokenExpiresAt: snapshot.tokenExpiresAt,
    warningDeadline: snapshot.warningDeadline,
    nextAction: snapshot.next.action,
    nextActionAt: snapshot.next.at,
    queuePaused: snapshot.queuePaused,
    sequence,
  });
  upsertSearchAttributes(statusAttributes(snapshot));
  setCurrentDetails(currentDetails(snapshot));
}
