import { accountWorkflowId, refreshNowUpdate } from '../../workflows/account/messages.js';
import { noopUpdate, shapedUpdate, shapedWorkflowId, type ActivityShape } from '../workflows/messages.js';
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

export async function timeNoopUpdates(context: LifecycleContext, samples: number): Promise<LatencyResult> {
  const { client, options } = context;
  return summary(await runPaced(Array.from({ length: samples }, (_, i) => i), options.latencyRate, (i) => client.workflow.getHandle(shapedWorkflowId(i)).executeUpdate(noopUpdate)));
}

export async function timeShapedUpdates(context: LifecycleContext, samples: number, shape: ActivityShape): Promise<LatencyResult> {
  const { client, options } = context;
  return summary(
    await runPaced(Array.from({ length: samples }, (_, i) => i), options.latencyRate, (i) => client.workflow.getHandle(shapedWorkflowId(i)).executeUpdate(shapedUpdate, { args: [shape] })),
  );
}

export async function timeRefreshNow(context: LifecycleContext, accountIds: string[]): Promise<LatencyResult> {
  const { client, options, commands, sandbox } = context;
  const workerBefore = await commands.worker.snapshot();
  const callsBefore = await sandbox.tally();
  const run = await runPaced(accountIds, options.latencyRate, (accountId) => client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(refreshNowUpdate));
  const worker = commandsBetween(workerBefore, await commands.worker.snapshot());
  const calls = Object.values(callsBetween(callsBefore, await sandbox.tally()));
  const n = Math.max(1, accountIds.length);
  const notRenewed = run.results.filter((answer) => answer !== undefined && answer.outcome.kind !== 'renewed').length;
  return {
    ...summary(run),
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
