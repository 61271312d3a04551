import { createPost, recordFailed, recordQueued, type NewPost } from '../../db/posts.js';
import type { Models } from '../../db/models/index.js';
import { targetIdOf } from '../../db/models/post-target.js';
import type { Post } from '../../db/models/post.js';
import type { ScheduleResult } from '../../workflows/account/messages.js';
import type { StoredReason } from '../../db/models/reason.js';
import { AccountWorkflowClient } from '../account-workflows/client.js';
import { refusalText } from '../account-workflows/refusal.js';
import type { AccountWorkflowTarget } from '../account-workflows/target.js';

// Hands a stored post to each target account's workflow, which owns the queue and answers with the
// post's place in it. A target whose workflow refuses or cannot be reached fails with the reason.

/** A queued post's place (and, while the account is expired, why it waits); or the words the target failed with. */
export type QueueAnswer = { accountId: string; queued: true; result: ScheduleResult } | { accountId: string; queued: false; reason: StoredReason };

/** Stores a new post with one waiting target per account, then queues each in its account's workflow. */
export async function submitPost(workflows: AccountWorkflowTarget, models: Models, input: NewPost, now: Date): Promise<{ post: Post; answers: QueueAnswer[] }> {
  const post = await createPost(models, input, now);
  return { post, answers: await queuePost(workflows, models, post) };
}

/** Queues every target of a stored post (or the given accounts' targets) at the post's time. */
export async function queuePost(workflows: AccountWorkflowTarget, models: Models, post: Post, accountIds = post.targets.map((t) => t.accountId)): Promise<QueueAnswer[]> {
  return queueTargets(workflows, models, post._id, accountIds.map((accountId) => ({ accountId, dueAt: post.publishAt })));
}

/** Queues targets of one post, each at its own due time (a retried or rescheduled target keeps its own). */
export async function queueTargets(workflows: AccountWorkflowTarget, models: Models, postId: string, targets: ReadonlyArray<{ accountId: string; dueAt: Date }>): Promise<QueueAnswer[]> {
  const accounts = new AccountWorkflowClient(workflows);
  return Promise.all(
    targets.map(async ({ accountId, dueAt }): Promise<QueueAnswer> => {
      const targetId = targetIdOf(postId, accountId);
      const answer = await accounts.schedulePost(accountId, { postId, dueAt });
      if (answer.ok) {
        await recordQueued(models, targetId, new Date());
        return { accountId, queued: true, result: answer.value };
      }
      const reason = { code: 'not_queued', message: `Could not be queued: ${refusalText(answer.refusal)}` };
      await recordFailed(models, targetId, reason, new Date());
      return { accountId, queued: false, reason };
    }),
  );
}

/** Takes a post out of an account's queue; a workflow that is gone or refuses has nothing to remove. */
export async function unqueuePost(workflows: AccountWorkflowTarget, postId: string, accountId: string): Promise<void> {
  await new AccountWorkflowClient(workflows).unschedulePost(accountId, postId);
}
