import { Context } from '@temporalio/activity';
import { listConnectedAccountIds } from '../db/accounts.js';
import type { Models } from '../db/models/index.js';
import { ensureAccountWorkflow, type AccountWorkflowTarget } from '../web/accounts/workflow-client.js';
import { accountIdOfWorkflowId } from '../workflows/account/messages.js';
import type { AccountSummary } from './lifecycle/contract.js';
import { requeueWaitingPosts } from './requeue-posts.js';

// Self-healing: every connected account in MongoDB must have a running workflow. Missing ones are
// started, and the posts waiting for them queued again; running account workflows whose account is
// no longer connected are reported.
//
// One visibility list names the running workflows, so only accounts missing from it cost a read and
// a start. The list is eventually consistent: a workflow started a moment ago may be missing, which
// ensureAccountWorkflow answers with 'running' (it checks before starting); one ended a moment ago
// may still be listed, and is then started on the next pass.

export interface ReconcileReport {
  /** Connected accounts considered. */
  checked: number;
  started: string[];
  orphans: string[];
  /** Waiting posts handed to their account's workflow again. */
  requeuedPosts: number;
}

export interface ReconcileDeps {
  models: Models;
  describeAccount(accountId: string): Promise<AccountSummary>;
  /** Absent in processes that have no Temporal client; the activity then reports nothing started. */
  workflows?: AccountWorkflowTarget;
}

/** Workflow ids of the running account workflows on the task queue. */
async function listRunningAccountWorkflows(workflows: AccountWorkflowTarget): Promise<string[]> {
  const query = `WorkflowType = 'accountWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${workflows.taskQueue}'`;
  const workflowIds: string[] = [];
  for await (const execution of workflows.client.workflow.list({ query })) {
    if (workflowIds.length % 500 === 0) Context.current().heartbeat(`listed ${workflowIds.length}`);
    workflowIds.push(execution.workflowId);
  }
  return workflowIds;
}

export function reconcileActivities(deps: ReconcileDeps) {
  return {
    async reconcileAccountWorkflows(): Promise<ReconcileReport> {
      const { workflows } = deps;
      if (!workflows) throw new Error('reconcileAccountWorkflows needs a Temporal client');
      const runningWorkflowIds = await listRunningAccountWorkflows(workflows);
      const running = new Set(runningWorkflowIds.map(accountIdOfWorkflowId));
      const ids = await listConnectedAccountIds(deps.models);
      const started: string[] = [];
      for (const accountId of ids) {
        if (running.has(accountId)) continue;
        Context.current().heartbeat(accountId);
        if ((await ensureAccountWorkflow(workflows, await deps.describeAccount(accountId))) === 'started') started.push(accountId);
      }
      const requeuedPosts = await requeueWaitingPosts(deps.models, workflows, { restartedAccountIds: started, now: new Date() });
      const connected = new Set(ids);
      const orphans = runningWorkflowIds.filter((workflowId) => {
        const accountId = accountIdOfWorkflowId(workflowId);
        return accountId === undefined || !connected.has(accountId);
      });
      const log = Context.current().log;
      if (started.length > 0) log.warn('started missing account workflows', { count: started.length, accountIds: started });
      if (orphans.length > 0) log.warn('account workflows without a connected account', { workflowIds: orphans });
      if (requeuedPosts > 0) log.warn('queued waiting posts again', { count: requeuedPosts });
      return { checked: ids.length, started, orphans, requeuedPosts };
    },
  };
}
