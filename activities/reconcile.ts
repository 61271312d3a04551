import { Context } from '@temporalio/activity';
import { listConnectedAccountIds } from '../db/accounts.js';
import type { Models } from '../db/models/index.js';
import { ensureAccountWorkflow, type AccountWorkflowTarget } from '../web/accounts/workflow-client.js';
import type { AccountSummary } from './lifecycle/contract.js';
import { requeueWaitingPosts } from './requeue-posts.js';

// Self-healing: every connected account in MongoDB must have a running workflow. Missing ones are
// started, and the posts waiting for them queued again; running account workflows whose account is
// no longer connected are reported.

export interface ReconcileReport {
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

export function reconcileActivities(deps: ReconcileDeps) {
  return {
    async reconcileAccountWorkflows(): Promise<ReconcileReport> {
      const { workflows } = deps;
      if (!workflows) throw new Error('reconcileAccountWorkflows needs a Temporal client');
      const ids = await listConnectedAccountIds(deps.models);
      const started: string[] = [];
      for (const accountId of ids) {
        Context.current().heartbeat(accountId);
        if ((await ensureAccountWorkflow(workflows, await deps.describeAccount(accountId))) === 'started') started.push(accountId);
      }
      const requeuedPosts = await requeueWaitingPosts(deps.models, workflows, { restartedAccountIds: started, now: new Date() });
      const connected = new Set(ids);
      const orphans: string[] = [];
      const query = `WorkflowType = 'accountWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${workflows.taskQueue}'`;
      for await (const execution of workflows.client.workflow.list({ query })) {
        if (!connected.has(execution.workflowId.replace(/^account:/, ''))) orphans.push(execution.workflowId);
      }
      const log = Context.current().log;
      if (started.length > 0) log.warn('started missing account workflows', { count: started.length, accountIds: started });
      if (orphans.length > 0) log.warn('account workflows without a connected account', { workflowIds: orphans });
      if (requeuedPosts > 0) log.warn('queued waiting posts again', { count: requeuedPosts });
      return { checked: ids.length, started, orphans, requeuedPosts };
    },
  };
}
