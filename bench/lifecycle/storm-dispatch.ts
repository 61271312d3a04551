import { accountWorkflowId } from '../../workflows/account/messages.js';
import { fetchAllRuns } from '../shared/profile.js';
import { spansOf } from '../shared/history.js';
import type { SandboxCall } from '../shared/sandbox-process.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';

// Where a storm's renewals wait: when Temporal handed out the renewal
// activities (their ActivityTaskStarted times, from the storm accounts' histories) against when
// the requests reached the platform and what it answered (the sandbox's log), each as the most
// requests in any sliding second and in the platform's own fixed windows.

export interface StormDispatch {
  /** renewCredentials activities started during the storm, and per account. */
  renewalActivities: number;
  renewalActivitiesPerAccount: number;
  /** Renewals that Temporal started in the busiest sliding second (bounded by the renewal workers' slots, not by a queue limit). */
  maxStartedInAnySecond: number;
  /** Activities started in the first second of the storm's dispatch (the burst after an idle queue). */
  startedInFirstSecond: number;
  /** Scheduled → started of the renewal activities (waiting on the queue for a renewal worker's slot). */
  queueWaitMs: LatencySummary;
  /** Started → the token request reaching the platform is inside the run time (database reads, the lease). */
  runMs: LatencySummary;
  /** Token-endpoint requests in the busiest sliding second, and the most answered 200 in one platform window. */
  maxArrivalsInAnySecond: number;
  tokenRequests: number;
  tokenRequests429: number;
  /** Requests per second over the whole dispatch, as started and as they arrived. */
  meanStartedPerSecond: number;
}

/** The most timestamps in any window of `windowMs` (times need not be sorted). */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= windowMs) from += 1;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** The platform's token-endpoint requests from `sinceMs` on. */
export function tokenCalls(calls: SandboxCall[], sinceMs: number): SandboxCall[] {
  return calls.filter((call) => call.key.endsWith('/oauth2/token') && call.at >= sinceMs);
}

export async function analyseStormDispatch(context: LifecycleContext, accountIds: string[], sinceMs: number, calls: SandboxCall[]): Promise<StormDispatch> {
  const runs = await fetchAllRuns(context.client, accountIds.map(accountWorkflowId));
  const started: number[] = [];
  const waits: number[] = [];
  const runTimes: number[] = [];
  for (const accountRuns of runs.values()) {
    for (const events of accountRuns) {
      for (const span of spansOf(events).activities) {
        if (span.type !== 'renewCredentials' || span.scheduledAt < sinceMs || span.startedAt === undefined) continue;
        started.push(span.startedAt);
        waits.push(span.startedAt - span.scheduledAt);
        if (span.endedAt !== undefined) runTimes.push(span.endedAt - span.startedAt);
      }
    }
  }
  const requests = tokenCalls(calls, sinceMs);
  const firstStart = Math.min(...started);
  const lastStart = Math.max(...started);
  return {
    renewalActivities: started.length,
    renewalActivitiesPerAccount: started.length / Math.max(1, accountIds.length),
    maxStartedInAnySecond: maxInWindow(started, 1000),
    startedInFirstSecond: started.filter((at) => at < firstStart + 1000).length,
    queueWaitMs: summarize(waits),
    runMs: summarize(runTimes),
    maxArrivalsInAnySecond: maxInWindow(
      requests.map((c) => c.at),
      1000,
    ),
    tokenRequests: requests.length,
    tokenRequests429: requests.filter((c) => c.status === 429).length,
    meanStartedPerSecond: started.length > 1 ? (started.length - 1) / ((lastStart - firstStart) / 1000) : Number.NaN,
  };
}
