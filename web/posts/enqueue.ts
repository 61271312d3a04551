import { recordFailed, recordQueued } from '../../db/posts.js';
import type { Models } from '../../db/models/index.js';
import { targetIdOf } from '../../db/models/post-target.js';
import type { Post } from '../../db/models/post.js';
import { accountWorkflowId, schedulePostUpdate, unschedulePostUpdate, type ScheduleResult } from '../../workflows/account/messages.js';
import type { Reason } from '../../workflows/lifecycle/types.js';
import { workflowRefusal, type AccountWorkflowTarget } from '../accounts/workflow-client.js';

// Hands a stored post to each target account's workflow, which owns the queue and answers with the
// post's place in it. A target whose workflow refuses or cannot be reached fails with the reason.

export type QueueAnswer = { accountId: string; queued: true; result: ScheduleResult } | { accountId: string; queued: false; reason: Reason };

/** Queues every target of a stored post (or the given accounts' targets) at the post's time. */
export async function queuePost(workflows: AccountWorkflowTarget, models: Models, post: Post, accountIds = post.targets.map((t) => t.accountId)): Promise<QueueAnswer[]> {
  return queueTargets(workflows, models, post._id, accountIds.map((accountId) => ({ accountId, dueAt: post.publishAt })));
}

/** Queues targets of one post, each at its own due time (a retried or rescheduled target keeps its own). */
export async function queueTargets(workflows: AccountWorkflowTarget, models: Models, postId: string, targets: ReadonlyArray<{ accountId: string; dueAt: Date }>): Promise<QueueAnswer[]> {
  return Promise.all(
    targets.map(async ({ accountId, dueAt }): Promise<QueueAnswer> => {
      const targetId = targetIdOf(postId, accountId);
      try {
        const handle = workflows.client.workflow.getHandle(accountWorkflowId(accountId));
        const result = await handle.executeUpdate(schedulePostUpdate, { args: [{ postId, dueAt: dueAt.toISOString() }] });
        await recordQueued(models, targetId, new Date());
        return { accountId, queued: true, result };
      } catch (error) {
        const refusal = workflowRefusal(error);
        if (refusal === undefined) throw error;
        const reason = { code: 'not_queued', message: `Could not be queued: ${refusal}` };
        await recordFailed(models, targetId, reason, new Date());
        return { accountId, queued: false, reason };
      }
    }),
  );
}

/** Takes a post out of an account's queue; a workflow that is gone has nothing to remove. */
export async function unqueuePost(workflows: AccountWorkflowTarget, postId: string, accountId: string): Promise<void> {
  try {
    await workflows.client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(unschedulePostUpdate, { args: [{ postId }] });
  } catch (error) {
    if (workflowRefusal(error) === undefined) throw error;
  }
}
