import { accountWorkflowId, refreshNowUpdate } from '../../workflows/account/messages.js';
import { noopUpdate, shapedUpdate, type ActivityShape } from '../workflows/messages.js';
import { readSdkMetrics, sdkMetricsBetween, type SdkMetrics } from '../shared/sdk-metrics.js';
import { commandCount, commandMs, commandsBetween, commandsPer, type CommandTotals } from '../shared/db-commands.js';
import { runPaced } from '../shared/pool.js';
import { callsBetween } from '../shared/sandbox-process.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';

// Phase 2: round trip of an update that is not a query: `refreshNow` on account workflows (a real
// renewal through the per-platform renewal queue and its pacer, then the status projection), beside
// an update on the bare workflows that runs the same activities as no-ops on the same queues
// (same shape), and beside a no-op update (Temporal's round trip alone). All three are offered at
// the same steady rate, below the platform's: offered faster, refreshNow would measure the
// platform's rate limit, which the bare updates do not have.

export interface LatencyResult {
  latencyMs: LatencySummary;
  failures: number;
  firstError?: string;
  /** The workflow worker's SDK metrics over this kind's updates: cache hits and misses (a miss fetches and replays the whole history), task and activation times. */
  workflowWorker?: SdkMetrics;
  /** refreshNow only: answers that did not report a renewal. */
  notRenewed?: number;
  /** refreshNow only, per update at this phase's rate: the worker's database commands and their time, and the platform calls. */
  perUpdate?: { databaseCommands: number; databaseMs: number; byCommand: CommandTotals; platformCalls: number; platformMs: number };
}

const summary = (run: { latenciesMs: number[]; failures: number; firstError?: string }): LatencyResult => ({
  latencyMs: summarize(run.latenciesMs),
  failures: run.failures,
  ...(run.firstError ? { firstError: run.firstError } : {}),
});

/** The baseline worker's cache hits and misses over `work`. */
async function withBaselineCache(context: LifecycleContext, work: () => Promise<LatencyResult>): Promise<LatencyResult> {
  const before = await readSdkMetrics(context.baselineMetricsPort);
  const result = await work();
  return { ...result, workflowWorker: sdkMetricsBetween(before, await readSdkMetrics(context.baselineMetricsPort)) };
}

export async function timeNoopUpdates(context: LifecycleContext, workflowIds: string[]): Promise<LatencyResult> {
  const { client, options } = context;
  return withBaselineCache(context, async () => summary(await runPaced(workflowIds, options.latencyRate, (id) => client.workflow.getHandle(id).executeUpdate(noopUpdate))));
}

export async function timeShapedUpdates(context: LifecycleContext, workflowIds: string[], shape: ActivityShape): Promise<LatencyResult> {
  const { client, options } = context;
  return withBaselineCache(context, async () =>
    summary(await runPaced(workflowIds, options.latencyRate, (id) => client.workflow.getHandle(id).executeUpdate(shapedUpdate, { args: [shape] }))),
  );
}

export async function timeRefreshNow(context: LifecycleContext, accountIds: string[]): Promise<LatencyResult> {
  const { client, options, commands, sandbox, workers } = context;
  const sdkBefore = await readSdkMetrics(workers.tether.temporalMetricsPort);
  const workerBefore = await commands.worker.snapshot();
  const callsBefore = await sandbox.tally();
  const run = await runPaced(accountIds, options.latencyRate, (accountId) => client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(refreshNowUpdate));
  const worker = commandsBetween(workerBefore, await commands.worker.snapshot());
  const workflowWorker = sdkMetricsBetween(sdkBefore, await readSdkMetrics(workers.tether.temporalMetricsPort));
  const calls = Object.values(callsBetween(callsBefore, await sandbox.tally()));
  const n = Math.max(1, accountIds.length);
  const notRenewed = run.results.filter((answer) => answer !== undefined && answer.outcome.kind !== 'renewed').length;
  return {
    ...summary(run),
    workflowWorker,
    notRenewed,
    perUpdate: {
      databaseCommands: commandCount(worker) / n,
      databaseMs: commandMs(worker) / n,
      byCommand: commandsPer(worker, n),
      platformCalls: calls.reduce((sum, c) => sum + c.count, 0) / n,
      platformMs: calls.reduce((sum, c) => sum + c.ms, 0) / n,
    },
  };
}
