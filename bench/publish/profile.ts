import type { Client } from '@temporalio/client';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { EventType, eventMs, spansOf, type HistoryEvent } from '../shared/history.js';
import { fetchAllRuns } from '../shared/profile.js';
import type { ActivityShape } from '../workflows/messages.js';

// Where a round's time went inside each account's workflow, from its history: from the due
// instant to the timer firing, then per publish activity (one per post, or one per run of posts
// due together: publishDuePosts) the gap after the previous one (the workflow task that picks the
// next posts), the wait in the activity queue, and the publish activity itself.

export interface CycleProfile {
  accounts: number;
  posts: number;
  /** Due instant → the timer that starts the round fired (ms, mean over accounts). */
  timerFiredAfterDueMs: number;
  /** Timer fired → first publish activity scheduled (the workflow task; ms, mean). */
  firstTaskMs: number;
  /** Mean per publish activity after the first: previous one completed → this one scheduled (workflow task wait + run); NaN when every account ran one. */
  gapMs: number;
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  /** Mean per publish activity: scheduled → started, and started → completed. */
  activityQueueMs: number;
  activityRunMs: number;
  /** Activities the workflow ran per published post in the round (all types), and their queues: the bare baseline's shape. */
  activitiesPerPost: number;
  /** Posts one publish activity took (mean): 1 for one activity per post, more when posts due together go out in one. */
  postsPerActivity: number;
  /** Activities (all types) per publish activity: one run of the shape covers `postsPerActivity` posts. */
  shape: ActivityShape;
  /** Some activity of the round ran on another queue (a renewal): the shape then undercounts it. */
  otherQueue: boolean;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
const round = (value: number) => Math.round(value * 10) / 10;

const PUBLISH_ACTIVITIES = ['publishPost', 'publishDuePosts'];

/** The run and events of the account's history that hold the round due at `dueAt`. */
function roundEvents(runs: HistoryEvent[][], dueAt: number): HistoryEvent[] | undefined {
  return runs.find((events) => events.some((e) => PUBLISH_ACTIVITIES.includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? '') && eventMs(e) >= dueAt - 1000));
}

/** Posts each completed publish activity answered for, by its scheduled event id (publishDuePosts answers one result per post). */
function postsAnswered(events: HistoryEvent[]): Map<number, number> {
  const posts = new Map<number, number>();
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    const data = completed?.result?.payloads?.[0]?.data;
    if (!completed || !data || data.length === 0) continue;
    const value: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    if (Array.isArray(value)) posts.set(Number(completed.scheduledEventId), value.length);
  }
  return posts;
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
  let publishActivities = 0;
  let otherQueue = false;
  for (const accountRuns of runs.values()) {
    const events = roundEvents(accountRuns, dueAt);
    if (!events) continue;
    const spans = spansOf(events);
    const roundSpans = spans.activities.filter((a) => a.scheduledAt >= dueAt - 1000).sort((a, b) => a.scheduledId - b.scheduledId);
    const publishes = roundSpans.filter((a) => PUBLISH_ACTIVITIES.includes(a.type) && a.endedAt !== undefined && a.startedAt !== undefined);
    if (publishes.length === 0) continue;
    const lastEnd = publishes.at(-1)!.endedAt!;
    const inRound = roundSpans.filter((a) => a.scheduledAt <= lastEnd);
    const answered = postsAnswered(events);
    posts += publishes.reduce((sum, span) => sum + (answered.get(span.scheduledId) ?? 1), 0);
    publishActivities += publishes.length;
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
  const postsPerActivity = publishActivities ? posts / publishActivities : Number.NaN;
  const perActivity = publishActivities ? activities / publishActivities : Number.NaN;
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
    postsPerActivity: Math.round(postsPerActivity * 100) / 100,
    // Publishing runs on the workflow's own queue; a renewal on the way would add the renewal queue.
    shape: Array.from({ length: Math.max(1, Math.round(perActivity)) }, (): ActivityShape[number] => 'main'),
    otherQueue,
  };
}
