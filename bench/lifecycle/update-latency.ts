import { accountWorkflowId, refreshNowUpdate } from '../../workflows/account/messages.js';
import { noopUpdate, noopWorkflowId } from '../workflows/messages.js';
import { runPool } from '../shared/pool.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';

// Phase 2: round trip of an update that is not a query: `refreshNow` on account workflows (a real
// renewal through the rate-limited per-platform renewal queue, then the status projection) beside
// a no-op update on the bare workflows.

export interface LatencyResult {
  latencyMs: LatencySummary;
  failures: number;
  firstError?: string;
  /** refreshNow only: answers that did not report a renewal. */
  notRenewed?: number;
}

export async function timeNoopUpdates(context: LifecycleContext, samples: number): Promise<LatencyResult> {
  const { client, options } = context;
  const run = await runPool(Array.from({ length: samples }, (_, i) => i), options.latencyConcurrency, (i) =>
    client.workflow.getHandle(noopWorkflowId(i)).executeUpdate(noopUpdate),
  );
  return { latencyMs: summarize(run.latenciesMs), failures: run.failures, ...(run.firstError ? { firstError: run.firstError } : {}) };
}

export async function timeRefreshNow(context: LifecycleContext, accountIds: string[]): Promise<LatencyResult> {
  const { client, options } = context;
  const run = await runPool(accountIds, options.latencyConcurrency, (accountId) =>
    client.workflow.getHandle(accountWorkflowId(accountId)).executeUpdate(refreshNowUpdate),
  );
  const notRenewed = run.results.filter((answer) => answer !== undefined && answer.outcome.kind !== 'renewed').length;
  return { latencyMs: summarize(run.latenciesMs), failures: run.failures, ...(run.firstError ? { firstError: run.firstError } : {}), notRenewed };
}
