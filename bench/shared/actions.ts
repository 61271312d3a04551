import { EventType, eventId, type HistoryEvent } from './history.js';

// What a stretch of history costs: its events by kind, and the Temporal Cloud billable actions
// they stand for, as https://docs.temporal.io/cloud/actions defines them (read 2026):
// - a workflow start, including each continue-as-new run (`WorkflowExecutionStarted`): 1
// - each activity scheduled (`ActivityTaskScheduled`): 1, and each retry (attempt − 1 on `ActivityTaskStarted`): 1
// - each timer started (`TimerStarted`), including the implicit timer of `condition(fn, timeout)`: 1
// - each search-attribute upsert command (`UpsertWorkflowSearchAttributes`): 1, except the ones that
//   set only `TemporalChangeVersion` (the SDK's own upsert beside each patch marker), which are exempt;
//   search attributes given at the workflow's start are not counted either
// - each signal received (`WorkflowExecutionSignaled`): 1
// - each update accepted (`WorkflowExecutionUpdateAccepted`), update-with-start included: 1
//   (rejected updates also count but leave no event; queries count but leave no event)
// - local activities: all markers of one workflow task together: 1
// Not billed: workflow tasks, activity started/completed events, timer fired/cancelled, update
// completed, `setCurrentDetails`. Heartbeats reaching the server count but leave no event.

export interface HistoryCost {
  events: number;
  workflowTasks: number;
  activities: number;
  activityRetries: number;
  /** Scheduled activities per type. */
  byActivity: Record<string, number>;
  timers: number;
  upserts: number;
  /** Upserts of `TemporalChangeVersion` alone (patch markers): events, not billed. */
  versionUpserts: number;
  signals: number;
  updates: number;
  /** Runs started (the first one, then one per continue-as-new). */
  runsStarted: number;
  /** Workflow tasks that recorded local-activity markers. */
  markerTasks: number;
  actions: number;
}

export const emptyCost = (): HistoryCost => ({
  events: 0,
  workflowTasks: 0,
  activities: 0,
  activityRetries: 0,
  byActivity: {},
  timers: 0,
  upserts: 0,
  versionUpserts: 0,
  signals: 0,
  updates: 0,
  runsStarted: 0,
  markerTasks: 0,
  actions: 0,
});

/** The cost of the events of one run with id > `afterId` (0: the whole run). */
export function costOf(events: HistoryEvent[], afterId = 0): HistoryCost {
  const cost = emptyCost();
  let markersInTask = false;
  for (const event of events) {
    if (eventId(event) <= afterId) continue;
    cost.events += 1;
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        cost.runsStarted += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        cost.workflowTasks += 1;
        markersInTask = false;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        cost.activities += 1;
        const type = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        cost.byActivity[type] = (cost.byActivity[type] ?? 0) + 1;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        cost.activityRetries += Math.max(0, (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1);
        break;
      case EventType.EVENT_TYPE_TIMER_STARTED:
        cost.timers += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        if (setsOnlyChangeVersion(event)) cost.versionUpserts += 1;
        else cost.upserts += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        cost.signals += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        cost.updates += 1;
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        // Version markers of patched() are not local activities.
        if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity' && !markersInTask) {
          markersInTask = true;
          cost.markerTasks += 1;
        }
        break;
    }
  }
  cost.actions = cost.runsStarted + cost.activities + cost.activityRetries + cost.timers + cost.upserts + cost.signals + cost.updates + cost.markerTasks;
  return cost;
}

/** The key the SDK upserts beside each patch marker (Temporal Cloud does not bill it). */
const CHANGE_VERSION = 'TemporalChangeVersion';

function setsOnlyChangeVersion(event: HistoryEvent): boolean {
  const keys = Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
  return keys.length > 0 && keys.every((key) => key === CHANGE_VERSION);
}

export function addCosts(a: HistoryCost, b: HistoryCost): HistoryCost {
  const byActivity = { ...a.byActivity };
  for (const [type, n] of Object.entries(b.byActivity)) byActivity[type] = (byActivity[type] ?? 0) + n;
  const sum = emptyCost();
  for (const key of Object.keys(sum) as (keyof HistoryCost)[]) if (key !== 'byActivity') sum[key] = a[key] + b[key];
  return { ...sum, byActivity };
}

/** Every field divided by `per` (accounts × days, operations). */
export function costPer(cost: HistoryCost, per: number): HistoryCost {
  const round = (value: number) => Math.round((value / per) * 100) / 100;
  const result = emptyCost();
  for (const key of Object.keys(result) as (keyof HistoryCost)[]) if (key !== 'byActivity') result[key] = round(cost[key]);
  result.byActivity = Object.fromEntries(Object.entries(cost.byActivity).map(([type, n]) => [type, round(n)]));
  return result;
}
