import type { RevokeResult } from '../../activities/lifecycle/contract.js';
import type { PublishResult } from '../../activities/publishing/contract.js';
import { reauthReason } from '../lifecycle/reasons.js';
import { expiryDeadline } from '../lifecycle/schedule.js';
import type { LifecycleEffect, LifecycleState, Reason } from '../lifecycle/types.js';
import type { RefreshOutcome } from './messages.js';

// The updates' answers as data: what came of "renew now", of revoking on a disconnect, and of a
// test post. Pure; web phrases them.

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** What "renew now" came to, from the lifecycle before and after it and the operation it started (if any). */
export function refreshOutcome(before: LifecycleState, after: LifecycleState, effects: readonly LifecycleEffect[]): RefreshOutcome {
  // Renew by need describes the grant: the access token may sit expired between uses.
  const grant = after.schemaVersion === 2;
  const until = iso(grant ? expiryDeadline(after)?.at : after.token.accessExpiresAt);
  const validity = { ...(until ? { validUntil: until } : {}), ...(grant ? { grant: true as const } : {}) };
  const started = effects.find((effect) => effect.type === 'renew' || effect.type === 'validate')?.type;
  if (after.status === 'expired') return failed(after.reason);
  if (!started) return { kind: 'nothingToDo', ...validity, ...(after.notice ? { reason: after.notice } : {}) };
  if (started === 'renew') {
    if (after.token.issuedAt !== before.token.issuedAt) return { kind: 'renewed', ...validity };
    return failed(after.retry?.reason ?? after.reason);
  }
  return after.retry || after.consecutiveFailures > 0 ? failed(after.retry?.reason ?? after.reason) : { kind: 'checked', ...validity };
}

const failed = (reason: Reason | undefined): RefreshOutcome => (reason ? { kind: 'failed', reason } : { kind: 'failed' });

/** The revoke activity's answer as it was before revoke outcomes were codes. */
export interface LegacyRevokeResult {
  revokedAtPlatform: boolean;
  message: string;
}

/**
 * The revoke activity's answer. Histories recorded before revoke outcomes were codes hold
 * `{ revokedAtPlatform, message }` as the activity's result; a workflow replaying one (or resuming
 * mid-disconnect) still answers, with Tether's old sentence as the failure's detail.
 */
export function revokeOutcomeOf(result: RevokeResult | LegacyRevokeResult | undefined): RevokeResult {
  if (!result) return { code: 'noCredentials' };
  if ('code' in result) return result;
  return result.revokedAtPlatform ? { code: 'revoked' } : { code: 'failed', detail: result.message };
}

/** Why a test post did not go out: the publish attempt's answer, with the platform's words as detail. */
export function testPostFailure(result: Exclude<PublishResult, { outcome: 'published' }>): Reason {
  switch (result.outcome) {
    case 'gone':
      return { code: 'post_gone' };
    case 'rateLimited':
      return { code: 'rate_limited', at: result.resetAt };
    case 'reauthRequired':
      return reauthReason(result.reason);
    case 'rejected':
      return { code: 'rejected', detail: result.reason.message };
    case 'transient':
      return { code: 'platform_unavailable', detail: result.reason.message };
  }
}

/** " (<the platform's words>)" for a refusal, when the reason quotes any (or was words, before reasons were codes). */
export function platformWords(reason: Reason | undefined): string {
  const words = reason?.detail ?? reason?.message;
  return words ? ` (${words})` : '';
}
