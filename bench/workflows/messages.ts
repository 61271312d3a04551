import { defineUpdate } from '@temporalio/workflow';

// The bare baselines' messages: a no-op update (Temporal's round trip alone), and an update whose
// handler runs a given sequence of no-op activities, each on the workflow's own task queue
// ("main") or on a second one ("second"), as Tether's handlers run theirs.

/** Task queues of no-op activities, in order, as read from a Tether history (see shared/history.ts). */
export type ActivityShape = ('main' | 'second')[];

export const bareWorkflowId = (index: number) => `bench-bare:${index}`;
export const shapedWorkflowId = (index: number) => `bench-shaped:${index}`;
/** Same-shape workflows standing for the accounts connected one at a time before and after the others (the counted ones). */
export const mirrorWorkflowId = (index: number) => `bench-shaped-mirror:${index}`;
export const noopUpdate = defineUpdate<null, []>('noop');
export const shapedUpdate = defineUpdate<null, [ActivityShape]>('shaped');

/** The second task queue of a baseline worker on `taskQueue`. */
export const secondTaskQueue = (taskQueue: string) => `${taskQueue}.second`;

/** A timed baseline: sleep until `dueAt`, then the shape once per `postsPerRun` posts (default 1), one run after another. */
export interface TimedShapeInput {
  dueAt: number;
  posts: number;
  shape: ActivityShape;
  /** Posts one run of the shape stands for, as Tether publishes the posts due together in one activity. */
  postsPerRun?: number;
}

export interface NoopActivities {
  /** Does nothing; answers when it ran (epoch ms), like a publish records when the platform answered. */
  noop(): Promise<number>;
}
