import { cancelTargets, failWaitingTargets, failWaitingTargetsOf, moveTargets, recordFailed } from '../../db/posts.js';
import { targetIdOf } from '../../db/models/post-target.js';
import type { Models } from '../../db/models/index.js';
import { findNotifiedUser } from '../../db/users.js';
import { phraseReason, zoneOrUtc } from '../../services/phrasing/index.js';
import type { Reason as AccountReason } from '../../workflows/lifecycle/types.js';
import { lifecycleContext, requireAccount, type LifecycleDeps } from '../lifecycle/deps.js';
import type { PostReason, PublishingActivities } from './contract.js';
import { publishActivities } from './publish.js';

/** The account's lifecycle reason as a post's reason: its code, and its words in the owner's time zone. */
async function accountReasonWords(models: Models, accountId: string, reason: AccountReason): Promise<PostReason> {
  const account = await requireAccount(models, accountId);
  const owner = await findNotifiedUser(models, account.ownerId);
  return { code: reason.code, message: phraseReason(reason, { platform: account.platform, timeZone: zoneOrUtc(owner?.timeZone) }) };
}

/** The activities the account workflow's publishing queue calls (see contract.ts). */
export function publishingActivities(deps: LifecycleDeps): PublishingActivities {
  const context = lifecycleContext(deps);
  const { models, clock } = context;
  return {
    ...publishActivities(context),
    async failTarget(input) {
      const reason = 'reason' in input ? input.reason : await accountReasonWords(models, input.accountId, input.accountReason);
      const targetId = targetIdOf(input.postId, input.accountId);
      // An attempt still holds the target (one that outlived its timeout): retried once it settled or its lease ended.
      if ((await recordFailed(models, targetId, reason, clock())) === 'busy') throw new Error(`${targetId} is being published; its failure is recorded later`);
    },
    async settleOverdue({ accountId, postIds, change }) {
      const ids = postIds.map((postId) => targetIdOf(postId, accountId));
      const answers = 'skip' in change ? await cancelTargets(models, ids, change.skip, clock()) : await moveTargets(models, ids, new Date(change.dueAt), clock());
      // Held by a publish attempt or a change from the web: retried, and then finds it published, canceled or moved.
      const busy = answers.filter((answer) => answer.kind === 'busy');
      if (busy.length > 0) throw new Error(`${busy.length} of ${ids.length} overdue posts are being changed or published; settled on the next attempt`);
    },
    async failScheduledPosts({ accountId, reason, postIds }) {
      if (!postIds) return failWaitingTargetsOf(models, accountId, reason, clock());
      const answers = await failWaitingTargets(models, postIds.map((postId) => targetIdOf(postId, accountId)), reason, clock());
      // An attempt that outlived its timeout still holds a target: retried once it settled or its lease ended.
      const busy = answers.filter((answer) => answer.kind === 'busy');
      if (busy.length > 0) throw new Error(`${busy.length} of ${postIds.length} scheduled posts are being published; failed on the next attempt`);
      return answers.filter((answer) => answer.kind === 'changed').length;
    },
  };
}
