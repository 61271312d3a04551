import { condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { noopUpdate, secondTaskQueue, shapedUpdate, type ActivityShape, type NoopActivities, type TimedShapeInput } from './messages.js';

// The bare workflows Tether's account workflow is compared with: no state, no database, no
// platform; only the Temporal commands Tether's handlers issue (the same number of activities on
// the same task queues, one after another), so the difference is Tether's own work.

const ACTIVITY = { startToCloseTimeout: '1 minute' } as const;
const main = proxyActivities<NoopActivities>(ACTIVITY);

async function runShape(shape: ActivityShape): Promise<number | undefined> {
  let last: number | undefined;
  for (const queue of shape) {
    const activities = queue === 'main' ? main : proxyActivities<NoopActivities>({ ...ACTIVITY, taskQueue: secondTaskQueue(workflowInfo().taskQueue) });
    last = await activities.noop();
  }
  return last;
}

/**
 * Accepts the no-op update and the shaped one, then waits forever, as an idle account waits for
 * its next renewal.
 */
export async function bareWorkflow(): Promise<void> {
  setHandler(noopUpdate, () => null);
  setHandler(shapedUpdate, async (shape) => {
    await runShape(shape);
    return null;
  });
  await condition(() => false);
}

/**
 * A publishing queue's bare shape: one timer until the due instant, then the activities of each
 * run of posts (one post, or `postsPerRun` posts due together) one after another. Returns when
 * each post's last activity ran (epoch ms): a no-op does no work per post, so every post of a run
 * is done when its run is.
 */
export async function timedShapeWorkflow(input: TimedShapeInput): Promise<number[]> {
  await sleep(Math.max(0, input.dueAt - Date.now()));
  const perRun = Math.max(1, input.postsPerRun ?? 1);
  const done: number[] = [];
  while (done.length < input.posts) {
    const at = (await runShape(input.shape)) ?? Date.now();
    for (let post = 0; post < perRun && done.length < input.posts; post++) done.push(at);
  }
  return done;
}
