import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { PlatformId } from '../../platforms/types.js';
import { projectionOf, type LifecycleProjection } from '../lifecycle/projection.js';
import type { LifecycleState, LifecycleStatus, Reason } from '../lifecycle/types.js';
import { nextPublishAt, type OverdueHold, type PublishQueue } from '../publishing/queue.js';
import { GRANT_EXPIRES_AT, NEXT_ACTION_AT, STATUS, TOKEN_EXPIRES_AT } from '../search-attributes.js';
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
  /** What the status projection holds; undefined until the first credentials are taken. */
  lifecycle?: LifecycleProjection;
  /** Schema 2 lifecycles describe the grant in search attributes; schema 1 the access token, as before. */
  describesGrant: boolean;
  queued: number;
  nextPublishAt?: number;
  overdue?: OverdueHold;
  /** Who the account is (`accountTitle`), once the workflow knows: the first line of the current details. */
  title?: string;
}

export function snapshotOf(accountId: string, platform: PlatformId | undefined, lifecycle: LifecycleState | undefined, queue: PublishQueue): Snapshot {
  return {
    accountId,
    platform: platform ?? 'x',
    status: lifecycle?.status ?? 'connecting',
    lifecycle: lifecycle && projectionOf(lifecycle),
    describesGrant: lifecycle?.schemaVersion === 2,
    queued: queue.entries.length,
    nextPublishAt: nextPublishAt(queue),
    overdue: queue.overdue,
  };
}

/** A snapshot of an account whose lifecycle has started: the only kind worth recording. */
export type RecordableSnapshot = Snapshot & { status: LifecycleStatus; lifecycle: LifecycleProjection };

export const isRecordable = (snapshot: Snapshot): snapshot is RecordableSnapshot => snapshot.status !== 'connecting' && snapshot.lifecycle !== undefined;

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The answer of the state query and of the updates that report the account's state. */
export function stateView(snapshot: Snapshot): AccountStateView {
  const { overdue, lifecycle } = snapshot;
  return {
    accountId: snapshot.accountId,
    platform: snapshot.platform,
    status: snapshot.status,
    reason: lifecycle?.reason,
    tokenExpiresAt: iso(lifecycle?.tokenExpiresAt),
    grantExpiresAt: iso(lifecycle?.grantExpiresAt),
    lastCheckedAt: iso(lifecycle?.lastCheckedAt),
    nextCheckAt: iso(lifecycle?.nextCheckAt),
    nextAction: lifecycle ? lifecycle.nextAction : 'checkCredentials',
    nextActionAt: iso(lifecycle?.nextActionAt),
    queuePaused: lifecycle?.queuePaused ?? false,
    queue: {
      queued: snapshot.queued,
      nextPublishAt: iso(snapshot.nextPublishAt),
      overdue: overdue && { postIds: overdue.postIds, decideBy: iso(overdue.decideBy)! },
    },
  };
}

const dateOrNull = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/** Schema 2 describes the grant (and clears the access-token expiry a schema-1 run may have left); schema 1 as it always did. */
export function statusAttributes(snapshot: RecordableSnapshot): SearchAttributeUpdatePair[] {
  const { lifecycle } = snapshot;
  if (!snapshot.describesGrant) {
    return [
      { key: STATUS, value: snapshot.status },
      { key: TOKEN_EXPIRES_AT, value: dateOrNull(lifecycle.tokenExpiresAt) },
      { key: NEXT_ACTION_AT, value: dateOrNull(lifecycle.nextActionAt) },
    ];
  }
  return [
    { key: STATUS, value: snapshot.status },
    { key: GRANT_EXPIRES_AT, value: dateOrNull(lifecycle.grantExpiresAt) },
    { key: NEXT_ACTION_AT, value: dateOrNull(lifecycle.nextActionAt) },
    { key: TOKEN_EXPIRES_AT, value: null },
  ];
}

const isoOrNever = (ms: number | undefined, never: string) => (ms === undefined ? never : new Date(ms).toISOString());

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
  const { lifecycle } = snapshot;
  const lines = [
    // The start's static summary is not carried by continue-as-new and cannot change: this line is.
    snapshot.title === undefined ? undefined : `**${snapshot.title}**`,
    `**Status:** ${snapshot.status}`,
    lifecycle?.reason ? `**Reason:** ${operatorReason(lifecycle.reason)}` : undefined,
    `**Next:** ${lifecycle?.nextAction ?? 'checkCredentials'}${lifecycle?.nextActionAt === undefined ? '' : ` at ${new Date(lifecycle.nextActionAt).toISOString()}`}`,
    ...(snapshot.describesGrant
      ? [
          `**Authorization valid until:** ${isoOrNever(lifecycle?.grantExpiresAt, 'no end')}`,
          `**Last checked:** ${isoOrNever(lifecycle?.lastCheckedAt, 'not yet')}`,
          `**Next check:** ${isoOrNever(lifecycle?.nextCheckAt, 'none planned')}`,
          `**Access token expires:** ${isoOrNever(lifecycle?.tokenExpiresAt, 'never')} (renewed when needed)`,
        ]
      : [lifecycle?.tokenExpiresAt === undefined ? '**Token:** does not expire' : `**Token expires:** ${new Date(lifecycle.tokenExpiresAt).toISOString()}`]),
    snapshot.queued > 0 ? `**Queue:** ${snapshot.queued} post(s)${lifecycle?.queuePaused ? ', paused until reconnect' : ''}` : undefined,
  ];
  return lines.filter(Boolean).join('\n\n');
}

/** The status projection pages read, from a snapshot. */
export function statusProjectionOf(snapshot: RecordableSnapshot, sequence: number) {
  return { accountId: snapshot.accountId, ...snapshot.lifecycle, sequence };
}

/**
 * Shows the snapshot in Temporal: current details always, and the search attributes that differ
 * from those this run last set (`shown`, updated here); schema 1 upserts every time, as it did.
 */
export function showInTemporal(snapshot: RecordableSnapshot, shown: Map<string, string>): void {
  const attributes = statusAttributes(snapshot);
  const changed = snapshot.describesGrant ? attributes.filter(({ key, value }) => shown.get(key.name) !== JSON.stringify(value)) : attributes;
  if (changed.length > 0) upsertSearchAttributes(changed);
  for (const { key, value } of changed) shown.set(key.name, JSON.stringify(value));
  setCurrentDetails(currentDetails(snapshot));
}

/**
 * Writes the status projection pages read (a write with a lower sequence than the stored one is
 * ignored), then the search attributes and current details, all from the same snapshot.
 */
export async function writeProjection(snapshot: RecordableSnapshot, sequence: number, shown: Map<string, string>): Promise<void> {
  await recordStatus(statusProjectionOf(snapshot, sequence));
  showInTemporal(snapshot, shown);
}
