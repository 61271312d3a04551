import type { Client } from '@temporalio/client';
import type { ActivityShape } from '../workflows/messages.js';
import { activityShape, breakdown, fetchRuns, meanBreakdown, spansOf, updatesOf, type Breakdown, type HistoryEvent } from './history.js';
import { runPool } from './pool.js';

// Where an operation's time went, read from workflow histories: the mean breakdown of one named
// update over a sample of workflows, and the activity shape of an update (for same-shape baselines).

const FETCH_CONCURRENCY = 8;

/** Up to `count` items spread evenly over `items`. */
export function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

export interface UpdateProfile {
  update: string;
  samples: number;
  /** Mean over the samples; totalMs runs from the workflow task that delivered the update to its completion. */
  breakdown: Breakdown;
}

/** The mean breakdown of update `name` (its first or last occurrence in each workflow's runs). */
export async function profileUpdate(client: Client, workflowIds: string[], name: string, which: 'first' | 'last'): Promise<UpdateProfile> {
  const parts: Breakdown[] = [];
  await runPool(workflowIds, FETCH_CONCURRENCY, async (workflowId) => {
    const runs = await fetchRuns(client, workflowId);
    const candidates = runs.flatMap((events) => updatesOf(events).filter((u) => u.name === name).map((update) => ({ events, update })));
    const chosen = which === 'first' ? candidates[0] : candidates.at(-1);
    if (chosen) parts.push(breakdown(chosen.events, spansOf(chosen.events), chosen.update.fromId, chosen.update.completedId));
  });
  return { update: name, samples: parts.length, breakdown: meanBreakdown(parts) };
}

/** The queues of the activities the first update `name` of the workflow ran, in order. */
export async function shapeOfUpdate(client: Client, workflowId: string, name: string): Promise<{ shape: ActivityShape; activities: string[] }> {
  for (const events of await fetchRuns(client, workflowId)) {
    const update = updatesOf(events).find((u) => u.name === name);
    if (!update) continue;
    const spans = spansOf(events);
    const inside = spans.activities.filter((a) => a.scheduledId >= update.fromId && a.scheduledId <= update.completedId).sort((a, b) => a.scheduledId - b.scheduledId);
    return { shape: activityShape(spans, update.fromId, update.completedId), activities: inside.map((a) => a.type) };
  }
  throw new Error(`workflow ${workflowId} has no ${name} update in its history`);
}

/** All runs of each workflow, fetched a few at a time. */
export async function fetchAllRuns(client: Client, workflowIds: string[]): Promise<Map<string, HistoryEvent[][]>> {
  const result = new Map<string, HistoryEvent[][]>();
  const run = await runPool(workflowIds, FETCH_CONCURRENCY, async (workflowId) => {
    result.set(workflowId, await fetchRuns(client, workflowId));
  });
  if (run.failures > 0) throw new Error(`reading ${run.failures} histories failed: ${run.firstError}`);
  return result;
}
