import { accountRefOf } from '../../db/accounts.js';
import { findTarget, recordFailed, recordPublished, recordWaiting, startPublishing } from '../../db/posts.js';
import type { Failure } from '../../platforms/types.js';
import type { Reason } from '../../workflows/lifecycle/types.js';
import { activityLog, missingCredentials, notConfigured, requireAccount, type LifecycleContext } from '../lifecycle/deps.js';
import type { PublishResult, TargetRef } from './contract.js';
import { targetIdOf } from '../../db/models/post-target.js';

// Publishing one post to one account. The idempotency key is derived from (post, account), so a
// retry after a crash (the call landed, the answer was lost) gets the original post back from the
// platform instead of a second one.

export const idempotencyKeyOf = (target: TargetRef) => `tether-${target.postId}-${target.accountId}`;

export function publishActivity(context: LifecycleContext) {
  const { models, adapters, store, clock } = context;

  return async function publishPost(target: TargetRef): Promise<PublishResult> {
    const targetId = targetIdOf(target.postId, target.accountId);
    const existing = await findTarget(models, targetId);
    if (existing?.state === 'published') return { outcome: 'published', url: existing.url ?? '', externalId: existing.externalId ?? '' };
    const post = await models.Post.findById(target.postId).lean();
    if (!existing || !post || !(await startPublishing(models, targetId, clock()))) return { outcome: 'gone' };

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
            boardId: existing.boardId,
            ...(existing.choices ? { choices: existing.choices } : {}),
            idempotencyKey: idempotencyKeyOf(target),
          });

    const now = clock();
    if (outcome.kind === 'ok') {
      await recordPublished(models, targetId, outcome.value, now);
      activityLog().info('published', { ...target, platform: account.platform });
      return { outcome: 'published', ...outcome.value };
    }
    const result = classify(outcome, now.getTime());
    if (result.outcome === 'rejected') await recordFailed(models, targetId, result.reason, now);
    else await recordWaiting(models, targetId, result.reason, now);
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
      return { outcome: 'reauthRequired', reason: { code: failure.code, message: failure.message } satisfies Reason };
    case 'transient':
      return { outcome: 'transient', reason: { code: 'platform_unavailable', message: failure.message } };
  }
}
