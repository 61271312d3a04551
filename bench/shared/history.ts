import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto, { type temporal } from '@temporalio/proto';

// Reading workflow histories: every run of a workflow (the continue-as-new chain), the activities
// and workflow tasks in it with their timestamps, and where the time between two events went.

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
// The package is CommonJS: its namespace is reached through the default export under Node's ESM loader.
export const EventType = proto.temporal.api.enums.v1.EventType;

export const eventId = (event: HistoryEvent) => Number(event.eventId);
export const eventMs = (event: HistoryEvent) => tsToMs(event.eventTime);

/** Every run of the workflow, oldest first (each run's events in order). */
export async function fetchRuns(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

export interface ActivitySpan {
  type: string;
  taskQueue: string;
  scheduledId: number;
  scheduledAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Attempt of the start the history shows (the last one); 1 means no retry. */
  attempt: number;
}

export interface WorkflowTaskSpan {
  scheduledId: number;
  scheduledAt: number;
  startedAt?: number;
  endedAt?: number;
}

export interface Spans {
  /** The workflow's own task queue (activities elsewhere run on another queue). */
  taskQueue: string;
  activities: ActivitySpan[];
  workflowTasks: WorkflowTaskSpan[];
}

/** The activities and workflow tasks of one run, with the times of their events. */
export function spansOf(events: HistoryEvent[]): Spans {
  const activities = new Map<number, ActivitySpan>();
  const tasks = new Map<number, WorkflowTaskSpan>();
  for (const event of events) {
    const id = eventId(event);
    const at = eventMs(event);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) activities.set(id, { type: scheduled.activityType?.name ?? '?', taskQueue: scheduled.taskQueue?.name ?? '?', scheduledId: id, scheduledAt: at, attempt: 1 });
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const span = activities.get(Number(started.scheduledEventId));
      if (span) Object.assign(span, { startedAt: at, attempt: started.attempt ?? 1 });
    }
    const ended =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (ended) {
      const span = activities.get(Number(ended.scheduledEventId));
      if (span) span.endedAt = at;
    }
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) tasks.set(id, { scheduledId: id, scheduledAt: at });
    const taskStarted = event.workflowTaskStartedEventAttributes;
    if (taskStarted) {
      const span = tasks.get(Number(taskStarted.scheduledEventId));
      if (span) span.startedAt = at;
    }
    const taskEnded = event.workflowTaskCompletedEventAttributes ?? event.workflowTaskFailedEventAttributes ?? event.workflowTaskTimedOutEventAttributes;
    if (taskEnded) {
      const span = tasks.get(Number(taskEnded.scheduledEventId));
      if (span) span.endedAt = at;
    }
  }
  const taskQueue = events[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? '?';
  return { taskQueue, activities: [...activities.values()], workflowTasks: [...tasks.values()] };
}

/** Where the time between two events went (ms). The parts add up to the total when the work is sequential. */
export interface Breakdown {
  totalMs: number;
  /** Activity scheduled → started: waiting in the task queue (rate limits, busy workers). */
  activityQueueMs: number;
  /** Activity started → completed: the activity's own work (database, platform, CPU). */
  activityRunMs: number;
  /** Workflow task scheduled → started: waiting for a worker to pick the workflow up. */
  workflowTaskQueueMs: number;
  /** Workflow task started → completed: the worker running (or replaying) workflow code. */
  workflowTaskRunMs: number;
  activities: number;
  workflowTasks: number;
  /** Per activity type (and queue when it is not the workflow's own). */
  byActivity: Record<string, { count: number; queueMs: number; runMs: number }>;
}

export const activityLabel = (span: ActivitySpan, spans: Spans) => (span.taskQueue === spans.taskQueue ? span.type : `${span.type} (${span.taskQueue.slice(spans.taskQueue.length + 1) || span.taskQueue})`);

/** Breaks down the time from event `fromId` to event `toId` (inclusive) of one run. */
export function breakdown(events: HistoryEvent[], spans: Spans, fromId: number, toId: number): Breakdown {
  const at = (id: number) => eventMs(events.find((e) => eventId(e) === id)!);
  const result: Breakdown = { totalMs: at(toId) - at(fromId), activityQueueMs: 0, activityRunMs: 0, workflowTaskQueueMs: 0, workflowTaskRunMs: 0, activities: 0, workflowTasks: 0, byActivity: {} };
  for (const span of spans.activities) {
    if (span.scheduledId < fromId || span.scheduledId > toId || span.startedAt === undefined || span.endedAt === undefined) continue;
    const queueMs = span.startedAt - span.scheduledAt;
    const runMs = span.endedAt - span.startedAt;
    result.activities += 1;
    result.activityQueueMs += queueMs;
    result.activityRunMs += runMs;
    const label = activityLabel(span, spans);
    const entry = (result.byActivity[label] ??= { count: 0, queueMs: 0, runMs: 0 });
    entry.count += 1;
    entry.queueMs += queueMs;
    entry.runMs += runMs;
  }
  for (const span of spans.workflowTasks) {
    if (span.scheduledId < fromId || span.scheduledId > toId || span.startedAt === undefined || span.endedAt === undefined) continue;
    result.workflowTasks += 1;
    result.workflowTaskQueueMs += span.startedAt - span.scheduledAt;
    result.workflowTaskRunMs += span.endedAt - span.startedAt;
  }
  return result;
}

/** The mean of several breakdowns, component by component. */
export function meanBreakdown(parts: Breakdown[]): Breakdown {
  const n = Math.max(1, parts.length);
  const mean: Breakdown = { totalMs: 0, activityQueueMs: 0, activityRunMs: 0, workflowTaskQueueMs: 0, workflowTaskRunMs: 0, activities: 0, workflowTasks: 0, byActivity: {} };
  for (const part of parts) {
    for (const key of ['totalMs', 'activityQueueMs', 'activityRunMs', 'workflowTaskQueueMs', 'workflowTaskRunMs', 'activities', 'workflowTasks'] as const) mean[key] += part[key] / n;
    for (const [label, entry] of Object.entries(part.byActivity)) {
      const sum = (mean.byActivity[label] ??= { count: 0, queueMs: 0, runMs: 0 });
      sum.count += entry.count / n;
      sum.queueMs += entry.queueMs / n;
      sum.runMs += entry.runMs / n;
    }
  }
  return roundBreakdown(mean);
}

function roundBreakdown(b: Breakdown): Breakdown {
  const r = (value: number) => Math.round(value * 10) / 10;
  return {
    totalMs: r(b.totalMs),
    activityQueueMs: r(b.activityQueueMs),
    activityRunMs: r(b.activityRunMs),
    workflowTaskQueueMs: r(b.workflowTaskQueueMs),
    workflowTaskRunMs: r(b.workflowTaskRunMs),
    activities: r(b.activities),
    workflowTasks: r(b.workflowTasks),
    byActivity: Object.fromEntries(Object.entries(b.byActivity).map(([label, e]) => [label, { count: r(e.count), queueMs: r(e.queueMs), runMs: r(e.runMs) }])),
  };
}

export interface UpdateSpan {
  name: string;
  /** The event the update's handling began with: the workflow task that delivered it (or the start, for update-with-start). */
  fromId: number;
  acceptedId: number;
  completedId: number;
}

/** Every update the run accepted and completed, from the workflow task that delivered it to its completion. */
export function updatesOf(events: HistoryEvent[]): UpdateSpan[] {
  const result: UpdateSpan[] = [];
  const open = new Map<string, { name: string; fromId: number; acceptedId: number }>();
  let lastTaskScheduled = 1;
  for (const event of events) {
    const id = eventId(event);
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) lastTaskScheduled = id;
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const updateId = accepted.acceptedRequest?.meta?.updateId ?? accepted.protocolInstanceId ?? String(id);
      // The first workflow task of an update-with-start follows the start itself.
      const fromId = lastTaskScheduled <= 2 ? 1 : lastTaskScheduled;
      open.set(updateId, { name: accepted.acceptedRequest?.input?.name ?? '?', fromId, acceptedId: id });
    }
    const completed = event.workflowExecutionUpdateCompletedEventAttributes;
    if (completed) {
      const updateId = completed.meta?.updateId ?? '';
      const started = open.get(updateId);
      if (started) {
        open.delete(updateId);
        result.push({ ...started, completedId: id });
      }
    }
  }
  return result;
}

/** Which queue each activity of the span ran on, in order: the shape a same-shape baseline repeats. */
export function activityShape(spans: Spans, fromId: number, toId: number): ('main' | 'second')[] {
  return spans.activities
    .filter((span) => span.scheduledId >= fromId && span.scheduledId <= toId)
    .sort((a, b) => a.scheduledId - b.scheduledId)
    .map((span) => (span.taskQueue === spans.taskQueue ? 'main' : 'second'));
}
