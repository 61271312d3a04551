import { cancelTargets, failWaitingTargetsOf, moveTargets, recordFailed } from '../../db/posts.js';
import { targetIdOf } from '../../db/models/post-target.js';
import { lifecycleContext, type LifecycleDeps } from '../lifecycle/deps.js';
import type { PublishingActivities } from './contract.js';
import { publishActivity } from './publish.js';

/** The activities the account workflow's publishing queue calls (see contract.ts). */
export function publishingActivities(deps: LifecycleDeps): PublishingActivities {
  const context = lifecycleContext(deps);
  const { models, clock } = context;
  return {
    publishPost: publishActivity(context),
    async failTarget({ postId, accountId, reason }) {
      await recordFailed(models, targetIdOf(postId, accountId), reason, clock());
    },
    async settleOverdue({ accountId, postIds, change }) {
      const ids = postIds.map((postId) => targetIdOf(postId, accountId));
      if ('skip' in change) await cancelTargets(models, ids, change.skip, clock());
      else await moveTargets(models, ids, new Date(change.dueAt), clock());
    },
    async failScheduledPosts({ accountId, reason }) {
      return failWaitingTargetsOf(models, accountId, reason, clock());
    },
  };
}
