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
 * A publishing queue's bare shape: one timer until the due instant, then each post's activities
 * one after another. Returns when each post's last activity ran (epoch ms).
 */
export async function timedShapeWorkflow(input: TimedShapeInput): Promise<number[]> {
  await sleep(Math.max(0, input.dueAt - Date.now()));
  const done: number[] = [];
  for (let post = 0; post < input.posts; post++) done.push((await runShape(input.shape)) ?? Date.now());
  return done;
}
