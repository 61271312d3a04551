import { WithStartWorkflowOperation } from '@temporalio/client';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { bareWorkflowId, mirrorWorkflowId, noopUpdate, shapedUpdate, shapedWorkflowId, type ActivityShape } from '../workflows/messages.js';
import { bareWorkflow } from '../workflows/baselines.js';
import type { Consented } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool, windowRate, type PoolResult } from '../shared/pool.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';

// Phase 1: how fast accounts connect through the real path (upsert the account, store the
// encrypted tokens, update-with-start `reconnect` and wait for the workflow's verdict), beside
// update-with-start of a bare workflow whose update runs the same activities as no-ops (the same
// shape, read from a connect's history), and beside a bare update-with-start whose update does
// nothing (Temporal's start alone). Connects run in stages so worker memory can be read in between.

export interface ThroughputResult {
  count: number;
  failures: number;
  firstError?: string;
  elapsedSec: number;
  perSecond: number;
  latencyMs: LatencySummary;
  /** Throughput over the first and the last `window` calls (the last of the final stage). */
  window: number;
  firstWindowPerSecond: number;
  lastWindowPerSecond: number;
}

/**
 * One throughput over several stages (each its own pool): times add up, windows come from the
 * first and the last stage, skipping the first and last `inFlight` completions of each (the pool
 * filling up and draining), so the two windows compare steady rates.
 */
export function throughputOf(stages: PoolResult<unknown>[], window: number, inFlight: number): ThroughputResult {
  const count = stages.reduce((sum, s) => sum + s.latenciesMs.length, 0);
  const elapsedSec = stages.reduce((sum, s) => sum + s.elapsedMs, 0) / 1000;
  const failures = stages.reduce((sum, s) => sum + s.failures, 0);
  const firstError = stages.find((s) => s.firstError)?.firstError;
  const first = stages[0]?.completedAtMs ?? [];
  const last = stages.at(-1)?.completedAtMs ?? [];
  const steady = (times: number[]) => {
    const skip = times.length >= window + 2 * inFlight ? inFlight : 0;
    const size = Math.min(window, times.length - 2 * skip);
    return { skip, size, times };
  };
  const a = steady(first);
  const b = steady(last);
  return {
    count,
    failures,
    ...(firstError ? { firstError } : {}),
    elapsedSec,
    perSecond: count / elapsedSec,
    latencyMs: summarize(stages.flatMap((s) => s.latenciesMs)),
    window,
    firstWindowPerSecond: a.size > 0 ? windowRate(first, a.skip, a.skip + a.size) : Number.NaN,
    lastWindowPerSecond: b.size > 0 ? windowRate(last, last.length - b.skip - b.size, last.length - b.skip) : Number.NaN,
  };
}

/** Update-with-start of a bare workflow on the baseline queue: `shape` as no-op activities, or a no-op update without one. */
function updateWithStart(context: LifecycleContext, workflowId: string, shape?: ActivityShape): Promise<unknown> {
  const startWorkflowOperation = new WithStartWorkflowOperation(bareWorkflow, { workflowId, taskQueue: context.baselineTaskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
  return shape
    ? context.client.workflow.executeUpdateWithStart(shapedUpdate, { args: [shape], startWorkflowOperation })
    : context.client.workflow.executeUpdateWithStart(noopUpdate, { startWorkflowOperation });
}

/** Bare update-with-start, no-op update: the reference rate for the connect path. */
export async function startBareWorkflows(context: LifecycleContext, count: number): Promise<ThroughputResult> {
  const { options, progress } = context;
  const run = await runPool(Array.from({ length: count }, (_, i) => i), options.concurrency, (i) => updateWithStart(context, bareWorkflowId(i)), {
    progress: { label: '  bare starts', report: progress },
  });
  return throughputOf([run], options.window, options.concurrency);
}

/** Same-shape baseline starts for workflow indexes [from, to). */
export function startShapedWorkflows(context: LifecycleContext, from: number, to: number, shape: ActivityShape): Promise<PoolResult<unknown>> {
  const { options, progress } = context;
  return runPool(Array.from({ length: to - from }, (_, i) => from + i), options.concurrency, (i) => updateWithStart(context, shapedWorkflowId(i), shape), {
    progress: { label: `  same-shape starts ${from}..${to}`, report: progress },
  });
}

/**
 * Same-shape workflows for the accounts connected one at a time (the counted ones, `mirrorWorkflowId`
 * from..to), started when those connect and given the same updates, unmeasured: the baseline worker
 * then holds as many workflows as Tether's, in the same order, against the same cache size.
 */
export async function startMirrorWorkflows(context: LifecycleContext, from: number, to: number, shapes: { connect: ActivityShape; refreshNow: ActivityShape }): Promise<void> {
  for (let i = from; i < to; i++) {
    await updateWithStart(context, mirrorWorkflowId(i), shapes.connect);
    await context.client.workflow.getHandle(mirrorWorkflowId(i)).executeUpdate(shapedUpdate, { args: [shapes.refreshNow] });
  }
}

export interface ConnectedAccount {
  accountId: string;
  identityId: string;
  /** How long completeConnection took for this account (ms). */
  connectMs: number;
}

/** Connects one consented identity as the dashboard's OAuth callback does; a rejected connect throws. */
export async function connectOne(context: LifecycleContext, { identity, tokens }: Consented): Promise<ConnectedAccount> {
  const { models, store, client, accountTaskQueue, owner } = context;
  const started = performance.now();
  const completed = await completeConnection({ models, store, workflows: { client, taskQueue: accountTaskQueue } }, { ...owner, platform: PLATFORM, identity, tokens });
  if (!completed.result.accepted) throw new Error(`connect rejected: ${JSON.stringify(completed.result.rejection)}`);
  return { accountId: completed.accountId, identityId: identity.externalId, connectMs: performance.now() - started };
}

export function connectAccounts(context: LifecycleContext, consented: Consented[], label: string): Promise<PoolResult<ConnectedAccount>> {
  return runPool(consented, context.options.concurrency, (one) => connectOne(context, one), { progress: { label: `  connects ${label}`, report: context.progress } });
}
