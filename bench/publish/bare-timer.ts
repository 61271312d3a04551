import { timedShapeWorkflow } from '../workflows/baselines.js';
import type { ActivityShape } from '../workflows/messages.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { PublishContext } from './context.js';
import { postsOfLane } from './schedule.js';

// The same-shape baseline of a round: one bare workflow per account lane that sleeps on a timer
// until the due instant, then runs its posts' activities as no-ops, one after another: as many
// activities per publish activity as Tether's workflow ran, and one such run per as many posts as
// one of Tether's publish activities took (both read from this run's histories). What Tether's queue adds on
// top is its own work: the database, the platform call, the workflow code.

export interface BareTimerMeasurement {
  posts: number;
  accounts: number;
  shape: ActivityShape;
  /** Posts one run of the shape stood for (Tether's posts per publish activity, rounded). */
  postsPerRun: number;
  /** Due instant → each post's last activity (the bare "publishedAt"). */
  latenessMs: LatencySummary;
  firstPublishedMs: number;
  drainSec: number;
  postsPerSec: number;
  /** Within a lane: one post's last activity → the next one's. */
  cycleMs: LatencySummary;
}

export async function runBareTimer(context: PublishContext, shape: ActivityShape, dueAt: number, postsPerRun = 1): Promise<BareTimerMeasurement> {
  const { client, options, runId, baselineTaskQueue } = context;
  const lanes = await Promise.all(
    Array.from({ length: options.accounts }, (_, lane) =>
      client.workflow.execute(timedShapeWorkflow, {
        workflowId: `bench-timed:${runId}:${dueAt}:${lane}`,
        taskQueue: baselineTaskQueue,
        args: [{ dueAt, posts: postsOfLane(lane, options.posts, options.accounts), shape, postsPerRun }],
      }),
    ),
  );
  const lateness = lanes.flat().map((at) => at - dueAt);
  const cycles = lanes.flatMap((times) => times.slice(1).map((at, i) => at - (times[i] as number)));
  const drainMs = Math.max(...lateness);
  return {
    posts: lateness.length,
    accounts: lanes.length,
    shape,
    postsPerRun,
    latenessMs: summarize(lateness),
    firstPublishedMs: Math.min(...lateness),
    drainSec: drainMs / 1000,
    postsPerSec: lateness.length / (drainMs / 1000),
    cycleMs: summarize(cycles),
  };
}
