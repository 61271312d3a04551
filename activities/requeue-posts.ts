import { findAccount } from '../db/accounts.js';
import type { Models } from '../db/models/index.js';
import { recordFailed, targetsToQueueAgain, writePendingTargets } from '../db/posts.js';
import { endQueueRestores, pendingQueueRestores } from '../db/queue-restores.js';
import type { AccountWorkflowTarget } from '../services/account-workflows/target.js';
import { queueTargets } from '../services/posts/queue.js';
import { ACCOUNT_DISCONNECTED } from '../workflows/publishing/queue.js';

// Nothing scheduled is lost: posts whose account workflow was restarted (its queue went with the
// old run; self-healing notes each restart before it starts the workflow), and posts stored but
// never handed to a workflow (a crash before, or while, their targets were written), are queued
// again. Scheduling is idempotent in the workflow, so a post queued twice waits once.
// A post whose account was disconnected meanwhile fails as its workflow's disconnect fails the posts
// it holds (a disconnect fails only those: it no longer reads every target of the account).

/** A post younger than this may still be on its way to the workflow. */
const IN_FLIGHT_MS = 60_000;
const BATCH = 1_000;

/**
 * Queues one batch again; the restarts (db/queue-restores.ts) whose posts were all handed over end.
 * Answers how many targets were queued again.
 */
export async function requeueWaitingPosts(models: Models, workflows: AccountWorkflowTarget, input: { now: Date }): Promise<number> {
  const cutoff = new Date(input.now.getTime() - IN_FLIGHT_MS);
  await writePendingTargets(models, cutoff, BATCH);
  const restarted = (await pendingQueueRestores(models)).map(({ _id, since }) => ({ accountId: _id, since }));
  const targets = await targetsToQueueAgain(models, { restarted, cutoff, limit: BATCH });
  const disconnected = new Map<string, boolean>();
  const isDisconnected = async (accountId: string) => {
    if (!disconnected.has(accountId)) disconnected.set(accountId, (await findAccount(models, accountId))?.disconnectedAt !== undefined);
    return disconnected.get(accountId)!;
  };
  let requeued = 0;
  for (const target of targets) {
    if (await isDisconnected(target.accountId)) {
      await recordFailed(models, target._id, ACCOUNT_DISCONNECTED, input.now);
      continue;
    }
    // Each at its own due time: a rescheduled or retried target no longer follows the post's time.
    const [answer] = await queueTargets(workflows, models, target.postId, [{ accountId: target.accountId, dueAt: target.dueAt }]);
    if (answer?.queued) requeued += 1;
  }
  // A full batch may have left some out: the next pass goes on from there.
  if (targets.length < BATCH) await endQueueRestores(models, restarted.map(({ accountId }) => accountId));
  return requeued;
}
