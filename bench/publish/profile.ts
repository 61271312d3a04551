import type { Client } from '@temporalio/client';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { EventType, eventMs, spansOf, type HistoryEvent } from '../shared/history.js';
import { fetchAllRuns } from '../shared/profile.js';
import type { ActivityShape } from '../workflows/messages.js';

// Where a round's time went inside each account's workflow, from its history: from the due
// instant to the timer firing, then per post the gap after the previous publish (the workflow
// task that picks the next post), the wait in the activity queue, and the publish activity itself.

export interface CycleProfile {
  accounts: number;
  posts: number;
  /** Due instant → the timer that starts the round fired (ms, mean over accounts). */
  timerFiredAfterDueMs: number;
  /** Timer fired → first publish activity scheduled (the workflow task; ms, mean). */
  firstTaskMs: number;
  /** Mean per post after the first: previous publish completed → this one scheduled (workflow task wait + run). */
  gapMs: number;
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  /** Mean per post: publish activity scheduled → started, and started → completed. */
  activityQueueMs: number;
  activityRunMs: number;
  /** Activities the workflow ran per published post in the round (all types), and their queues: the bare baseline's shape. */
  activitiesPerPost: number;
  shape: ActivityShape;
  /** Some activity of the round ran on another queue (a renewal): the shape then undercounts it. */
  otherQueue: boolean;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
const round = (value: number) => Math.round(value * 10) / 10;

/** The run and events of the account's history that hold the round due at `dueAt`. */
function roundEvents(runs: HistoryEvent[][], dueAt: number): HistoryEvent[] | undefined {
  return runs.find((events) => events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'publishPost' && eventMs(e) >= dueAt - 1000));
}

export async function profileRound(client: Client, accountIds: string[], dueAt: number): Promise<CycleProfile> {
  const runs = await fetchAllRuns(client, accountIds.map(accountWorkflowId));
  const timerLate: number[] = [];
  const firstTask: number[] = [];
  const gaps: number[] = [];
  const taskWaits: number[] = [];
  const taskRuns: number[] = [];
  const queueWaits: number[] = [];
  const activityRuns: number[] = [];
  let posts = 0;
  let activities = 0;
  let otherQueue = false;
  for (const accountRuns of runs.values()) {
    const events = roundEvents(accountRuns, dueAt);
    if (!events) continue;
    const spans = spansOf(events);
    const roundSpans = spans.activities.filter((a) => a.scheduledAt >= dueAt - 1000).sort((a, b) => a.scheduledId - b.scheduledId);
    const publishes = roundSpans.filter((a) => a.type === 'publishPost' && a.endedAt !== undefined && a.startedAt !== undefined);
    if (publishes.length === 0) continue;
    const lastEnd = publishes.at(-1)!.endedAt!;
    const inRound = roundSpans.filter((a) => a.scheduledAt <= lastEnd);
    posts += publishes.length;
    activities += inRound.length;
    otherQueue ||= inRound.some((a) => a.taskQueue !== spans.taskQueue);
    const fired = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && eventMs(e) >= dueAt - 1000 && eventMs(e) <= publishes[0]!.scheduledAt);
    if (fired) {
      timerLate.push(eventMs(fired) - dueAt);
      firstTask.push(publishes[0]!.scheduledAt - eventMs(fired));
    }
    for (const [i, span] of publishes.entries()) {
      queueWaits.push(span.startedAt! - span.scheduledAt);
      activityRuns.push(span.endedAt! - span.startedAt!);
      if (i === 0) continue;
      const previousEnd = publishes[i - 1]!.endedAt!;
      gaps.push(span.scheduledAt - previousEnd);
      const task = spans.workflowTasks.find((t) => t.scheduledAt >= previousEnd && t.scheduledAt <= span.scheduledAt && t.startedAt !== undefined && t.endedAt !== undefined);
      if (task) {
        taskWaits.push(task.startedAt! - task.scheduledAt);
        taskRuns.push(task.endedAt! - task.startedAt!);
      }
    }
  }
  const perPost = posts ? activities / posts : Number.NaN;
  return {
    accounts: runs.size,
    posts,
    timerFiredAfterDueMs: round(mean(timerLate)),
    firstTaskMs: round(mean(firstTask)),
    gapMs: round(mean(gaps)),
    workflowTaskQueueMs: round(mean(taskWaits)),
    workflowTaskRunMs: round(mean(taskRuns)),
    activityQueueMs: round(mean(queueWaits)),
    activityRunMs: round(mean(activityRuns)),
    activitiesPerPost: Math.round(perPost * 100) / 100,
    // Publishing runs on the workflow's own queue; a renewal on the way would add the renewal queue.
    shape: Array.from({ length: Math.max(1, Math.round(perPost)) }, (): ActivityShape[number] => 'main'),
    otherQueue,
  };
}
