import { WithStartWorkflowOperation } from '@temporalio/client';
import { completeConnection } from '../../services/accounts/complete-connection.js';
import { noopUpdate, noopWorkflowId } from '../workflows/messages.js';
import { noopWorkflow } from '../workflows/noop.js';
import type { Consented } from '../shared/consent.js';
import { PLATFORM } from '../shared/owner.js';
import { runPool, type PoolResult } from '../shared/pool.js';
import { summarize, type LatencySummary } from '../shared/stats.js';
import type { LifecycleContext } from './context.js';

// Phase 1: how fast accounts connect through the real path (upsert the account, store the
// encrypted tokens, update-with-start `reconnect` and wait for the workflow's verdict), beside
// update-with-start of a bare workflow with a no-op update: the ratio is Tether's own overhead.

export interface ThroughputResult {
  count: number;
  failures: number;
  firstError?: string;
  elapsedSec: number;
  perSecond: number;
  latencyMs: LatencySummary;
}

function throughput(run: PoolResult<unknown>): ThroughputResult {
  const succeeded = run.latenciesMs.length;
  return {
    count: succeeded,
    failures: run.failures,
    ...(run.firstError ? { firstError: run.firstError } : {}),
    elapsedSec: run.elapsedMs / 1000,
    perSecond: succeeded / (run.elapsedMs / 1000),
    latencyMs: summarize(run.latenciesMs),
  };
}

export async function startBaselineWorkflows(context: LifecycleContext, count: number): Promise<ThroughputResult> {
  const { client, baselineTaskQueue, options } = context;
  const run = await runPool(Array.from({ length: count }, (_, i) => i), options.concurrency, (i) =>
    client.workflow.executeUpdateWithStart(noopUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(noopWorkflow, {
        workflowId: noopWorkflowId(i),
        taskQueue: baselineTaskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    }),
  );
  return throughput(run);
}

export interface ConnectedAccount {
  accountId: string;
  identityId: string;
}

/** Connects each consented identity as the dashboard's OAuth callback does; a rejected connect counts as a failure. */
export async function connectAccounts(
  context: LifecycleContext,
  consented: Consented[],
): Promise<{ result: ThroughputResult; accounts: ConnectedAccount[] }> {
  const { models, store, client, accountTaskQueue, owner, options } = context;
  const run = await runPool(consented, options.concurrency, async ({ identity, tokens }) => {
    const completed = await completeConnection(
      { models, store, workflows: { client, taskQueue: accountTaskQueue } },
      { ...owner, platform: PLATFORM, identity, tokens },
    );
    if (!completed.result.accepted) throw new Error(`connect rejected: ${JSON.stringify(completed.result.rejection)}`);
    return { accountId: completed.accountId, identityId: identity.externalId };
  });
  return { result: throughput(run), accounts: run.results.filter((a): a is ConnectedAccount => a !== undefined) };
}
