import { accountRefOf } from '../../db/accounts.js';
import { ApplicationFailure } from '@temporalio/activity';
import { claimPublishing, settlePublishing } from '../../db/posts.js';
import type { Failure } from '../../platforms/types.js';
import { activityLog, missingCredentials, notConfigured, requireAccount, type LifecycleContext } from '../lifecycle/deps.js';
import type { PostReason, PublishResult, TargetRef } from './contract.js';
import { targetIdOf } from '../../db/models/post-target.js';

// Publishing one post to one account. The idempotency key is derived from (post, account), so a
// retry after a crash (the call landed, the answer was lost) gets the original post back from the
// platform instead of a second one.

export const idempotencyKeyOf = (target: TargetRef) => `tether-${target.postId}-${target.accountId}`;

/** Longer than one attempt may run (the activity's 30 s start-to-close timeout). */
const PUBLISH_LEASE_MS = 30_000;

export function publishActivity(context: LifecycleContext) {
  const { models, adapters, store, clock } = context;

  return async function publishPost(target: TargetRef): Promise<PublishResult> {
    const targetId = targetIdOf(target.postId, target.accountId);
    const claim = await claimPublishing(models, { targetId, holder: context.workerIdentity, now: clock(), leaseMs: PUBLISH_LEASE_MS });
    if (claim.kind === 'published') return { outcome: 'published', url: claim.target.url ?? '', externalId: claim.target.externalId ?? '' };
    if (claim.kind === 'gone') return { outcome: 'gone' };
    // Temporal retries this attempt once the other one has settled the target (or its lease ended).
    if (claim.kind === 'busy') throw ApplicationFailure.retryable(`another attempt is publishing ${targetId}`, 'PublishInProgress');
    const { attempt, post } = claim;

    const account = await requireAccount(models, target.accountId);
    const adapter = adapters[account.platform];
    const stored = await store.loadCredentials(account._id);
    const outcome = !adapter
      ? notConfigured(account.platform)
      : !stored
        ? missingCredentials(account)
        : await adapter.publish(accountRefOf(account), stored.credentials, {
            text: post.text,
            imageUrl: post.imageUrl,
            boardId: claim.target.boardId,
            ...(claim.target.choices ? { choices: claim.target.choices } : {}),
            idempotencyKey: idempotencyKeyOf(target),
          });

    const now = clock();
    if (outcome.kind === 'ok') {
      await settlePublishing(models, { targetId, attempt, outcome: { published: outcome.value }, now });
      context.metrics.publish(account.platform, 'published');
      activityLog().info('published', { ...target, platform: account.platform });
      return { outcome: 'published', ...outcome.value };
    }
    const result = classify(outcome, now.getTime());
    context.metrics.publish(account.platform, result.outcome);
    await settlePublishing(models, { targetId, attempt, outcome: result.outcome === 'rejected' ? { failed: result.reason } : { waiting: result.reason }, now });
    activityLog().warn('publish did not complete', { ...target, platform: account.platform, outcome: result.outcome });
    return result;
  };
}

/** The adapter's words already name the platform and, for a rate limit, the reset time (with the date when it is not today). */
function classify(failure: Failure, now: number): Exclude<PublishResult, { outcome: 'published' | 'gone' }> {
  switch (failure.kind) {
    case 'rateLimited': {
      const resetAt = Math.max(Date.parse(failure.resetAt) || now, now + 1_000);
      return { outcome: 'rateLimited', resetAt, reason: { code: 'rate_limited', message: `${failure.message}; the post will go out then` } };
    }
    case 'invalid':
      return { outcome: 'rejected', reason: { code: 'rejected', message: failure.message } };
    case 'reauthRequired':
      return { outcome: 'reauthRequired', reason: { code: failure.code, message: failure.message } satisfies PostReason };
    case 'transient':
      return { outcome: 'transient', reason: { code: 'platform_unavailable', message: failure.message } };
  }
}
