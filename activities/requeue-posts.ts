import type { Models } from '../db/models/index.js';
import { writePendingTargets } from '../db/posts.js';
import type { AccountWorkflowTarget } from '../web/accounts/workflow-client.js';
import { queuePost } from '../web/posts/enqueue.js';

// Nothing scheduled is lost: posts whose account workflow was restarted (its queue went with the
// old run), and posts stored but never handed to a workflow (a crash before, or while, their targets
// were written), are queued again. Scheduling is idempotent in the workflow, so a post queued twice waits once.

/** A post younger than this may still be on its way to the workflow. */
const IN_FLIGHT_MS = 60_000;
const BATCH = 1_000;

export async function requeueWaitingPosts(models: Models, workflows: AccountWorkflowTarget, input: { restartedAccountIds: string[]; now: Date }): Promise<number> {
  const cutoff = new Date(input.now.getTime() - IN_FLIGHT_MS);
  await writePendingTargets(models, cutoff, BATCH);
  const targets = await models.PostTarget.find(
    {
      state: 'scheduled',
      $or: [{ accountId: { $in: input.restartedAccountIds } }, { queuedAt: { $exists: false }, updatedAt: { $lt: cutoff } }],
    },
    { postId: 1, accountId: 1 },
  )
    .limit(BATCH)
    .lean();
  if (targets.length === 0) return 0;
  const posts = new Map((await models.Post.find({ _id: { $in: [...new Set(targets.map((t) => t.postId))] } }).lean()).map((post) => [post._id, post]));
  let requeued = 0;
  for (const target of targets) {
    const post = posts.get(target.postId);
    if (!post) continue;
    const [answer] = await queuePost(workflows, models, post, [target.accountId]);
    if (answer?.queued) requeued += 1;
  }
  return requeued;
}
