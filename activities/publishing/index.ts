import { cancelTargets, failWaitingTargets, failWaitingTargetsOf, moveTargets } from '../../db/posts.js';
import { targetIdOf } from '../../db/models/post-target.js';
import type { TargetChange } from '../../db/target-changes.js';
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

/**
 * Throws (so Temporal retries the activity) while a publish attempt, or a change from the web, still
 * holds some of the targets; the retry finds them published, changed or free.
 */
function retryWhileHeld(answers: TargetChange[], what: string): void {
  const busy = answers.filter((answer) => answer.kind === 'busy').length;
  if (busy > 0) throw new Error(`${busy} of ${answers.length} ${what}`);
}

/** The activities the account workflow's publishing queue calls (see contract.ts). */
export function publishingActivities(deps: LifecycleDeps): PublishingActivities {
  const context = lifecycleContext(deps);
  const { models, clock } = context;
  return {
    ...publishActivities(context),
    async failTarget(input) {
      const reason = 'reason' in input ? input.reason : await accountReasonWords(models, input.accountId, input.accountReason);
      // An attempt that outlived its timeout may still hold the target: retried once it settled or its lease ended.
      retryWhileHeld(await failWaitingTargets(models, [targetIdOf(input.postId, input.accountId)], reason, clock()), 'posts are being published; the failure is recorded on the next attempt');
    },
    async settleOverdue({ accountId, postIds, change }) {
      const ids = postIds.map((postId) => targetIdOf(postId, accountId));
      const answers = 'skip' in change ? await cancelTargets(models, ids, change.skip, clock()) : await moveTargets(models, ids, new Date(change.dueAt), clock());
      retryWhileHeld(answers, 'overdue posts are being changed or published; settled on the next attempt');
    },
    async failScheduledPosts({ accountId, reason, postIds }) {
      if (!postIds) return failWaitingTargetsOf(models, accountId, reason, clock());
      const answers = await failWaitingTargets(models, postIds.map((postId) => targetIdOf(postId, accountId)), reason, clock());
      retryWhileHeld(answers, 'scheduled posts are being published; failed on the next attempt');
      return answers.filter((answer) => answer.kind === 'changed').length;
    },
  };
}
