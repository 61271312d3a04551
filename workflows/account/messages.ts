import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PlatformId, PremiumStatus } from '../../platforms/types.js';
import type { LifecycleStatus, Reason } from '../lifecycle/types.js';

// The account workflow's messages, defined once: the web app and tests import these same objects.

export const accountWorkflowId = (accountId: string) => `account:${accountId}`;

/** What pages and operators see of an account's lifecycle (no tokens). */
export interface AccountStateView {
  accountId: string;
  platform: PlatformId;
  status: LifecycleStatus | 'connecting';
  reason?: Reason;
  tokenExpiresAt?: string;
  nextAction?: string;
  nextActionAt?: string;
  queuePaused: boolean;
}

export type ReconnectResult = { accepted: true; state: AccountStateView } | { accepted: false; rejection: Reason; state: AccountStateView };

export interface RefreshNowResult {
  state: AccountStateView;
  /** What came of the renewal, in words. */
  outcome: string;
}

export interface DisconnectResult {
  revokedAtPlatform: boolean;
  message: string;
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
