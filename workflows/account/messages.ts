import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RevokeResult } from '../../activities/lifecycle/contract.js';
import type { PlatformId, PremiumStatus } from '../../platforms/types.js';
import type { LifecycleStatus, NextActionCode, Reason } from '../lifecycle/types.js';

// The account workflow's messages, defined once: the web app and tests import these same objects.
// Answers are data (codes, ISO times, reasons); services/phrasing/ words them for people.

export const accountWorkflowId = (accountId: string) => `account:${accountId}`;
/** The account an account workflow id names; undefined for any other workflow id. */
export const accountIdOfWorkflowId = (workflowId: string): string | undefined =>
  workflowId.startsWith('account:') ? workflowId.slice('account:'.length) : undefined;

/** What pages and operators see of an account's lifecycle (no tokens; times are ISO). */
export interface AccountStateView {
  accountId: string;
  platform: PlatformId;
  status: LifecycleStatus | 'connecting';
  reason?: Reason;
  /** The access token's expiry; it may sit expired between uses while the grant lives on. */
  tokenExpiresAt?: string;
  /** Until when Tether can act for the user if nothing succeeds from now on (absent: no end). */
  grantExpiresAt?: string;
  /** The last time the platform accepted the grant, and the next health check. */
  lastCheckedAt?: string;
  nextCheckAt?: string;
  nextAction?: NextActionCode;
  nextActionAt?: string;
  queuePaused: boolean;
  queue: QueueView;
}

/** The account's publishing queue as pages see it (ids and times only). */
export interface QueueView {
  queued: number;
  nextPublishAt?: string;
  /** Posts that fell due while the account was expired, waiting for the user's choice. */
  overdue?: { postIds: string[]; decideBy: string };
}

export type ReconnectResult = { accepted: true; state: AccountStateView } | { accepted: false; rejection: Reason; state: AccountStateView };

/**
 * What came of "renew now". `validUntil` (ISO; absent when it does not end) is the grant's end when
 * `grant` is set (renew by need: until when Tether can act for the user, whatever the access
 * token's expiry), else the access token's expiry (lifecycles on the legacy rules).
 */
export type RefreshOutcome =
  /** A new token was issued. */
  | { kind: 'renewed'; validUntil?: string; grant?: true }
  /** The platform confirmed the token (tokens that are checked rather than renewed). */
  | { kind: 'checked'; validUntil?: string; grant?: true }
  /** Nothing was started: `reason` says why when there is one (nothing can renew it, too early); else an operation was already under way. */
  | { kind: 'nothingToDo'; validUntil?: string; grant?: true; reason?: Reason }
  /** The renewal or check did not succeed, or the account expired: `reason` says why. */
  | { kind: 'failed'; reason?: Reason };

export interface RefreshNowResult {
  state: AccountStateView;
  outcome: RefreshOutcome;
}

export interface DisconnectResult {
  /** What came of revoking Tether's access at the platform. */
  revoke: RevokeResult;
  /** Scheduled posts that will not be published (filled by the publishing queue). */
  affectedPosts: number;
}

export type PremiumResult = { ok: true; premium: PremiumStatus } | { ok: false; reason: Reason };

/** New credentials were stored (connect or reconnect): validate them and resume. */
export const reconnectUpdate = defineUpdate<ReconnectResult, []>('reconnect');
/** Renew now, without disconnecting; answers with the outcome. */
export const refreshNowUpdate = defineUpdate<RefreshNowResult, []>('refreshNow');
/** Revoke at the platform where possible and end the workflow. */
export const disconnectUpdate = defineUpdate<DisconnectResult, []>('disconnect');
/** X only: read the account's Premium subscription. */
export const checkPremiumUpdate = defineUpdate<PremiumResult, []>('checkPremium');
/** The platform told us (deauthorization webhook) that access was removed. */
export const revokedSignal = defineSignal<[{ reason: Reason }]>('revoked');
export const stateQuery = defineQuery<AccountStateView>('state');

export interface SchedulePostInput {
  postId: string;
  /** ISO time. */
  dueAt: string;
}

export interface ScheduleResult {
  /** 1-based place in this account's queue. */
  position: number;
  queued: number;
  /** Present while the account is expired: the post waits for a reconnect. */
  waitsForReconnect?: Reason;
}

export type OverdueDecision = { choice: 'publishNow' } | { choice: 'skip' } | { choice: 'reschedule'; at: string };

export type TestPostResult = { outcome: 'published'; url: string } | { outcome: 'failed'; reason: Reason };

/** Queue a post (or move an already-queued one to a new time); answers its position. */
export const schedulePostUpdate = defineUpdate<ScheduleResult, [SchedulePostInput]>('schedulePost');
/** Take a post out of the queue (cancel, or before an edit moves it elsewhere). */
export const unschedulePostUpdate = defineUpdate<{ removed: boolean }, [{ postId: string }]>('unschedulePost');
/** The user's choice for posts that fell due while the account was expired. */
export const resolveOverdueUpdate = defineUpdate<{ postIds: string[] }, [OverdueDecision]>('resolveOverdue');
/** Publish a (test) post right away and answer how it went. */
export const testPostUpdate = defineUpdate<TestPostResult, [{ postId: string }]>('testPost');
