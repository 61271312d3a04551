import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { AccountSummary } from '../../activities/lifecycle/contract.js';
import { accountWorkflowId, reconnectUpdate, type ReconnectResult } from '../../workflows/account/messages.js';
import { accountWorkflow, type AccountWorkflowInput } from '../../workflows/account/workflow.js';
import { PLATFORM_NAMES } from '../../platforms/types.js';
import { displayHandle } from '../../platforms/handle.js';
import type { Config } from '../../config/index.js';

// How the web app (and self-healing) reaches an account's workflow.

export interface AccountWorkflowTarget {
  client: Client;
  taskQueue: string;
  /** Lifecycle settings passed to new workflows. */
  warningLeadMs?: number;
  overdueDecisionMs?: number;
  historyEventLimit?: number;
}

/** Account workflows on the configured task queue, started with the configured lifecycle settings. */
export function accountWorkflowTargetFor(client: Client, config: Pick<Config, 'temporal' | 'lifecycle' | 'publishing'>): AccountWorkflowTarget {
  return { client, taskQueue: config.temporal.taskQueue, warningLeadMs: config.lifecycle.warningLeadMs, overdueDecisionMs: config.publishing.overdueDecisionMs };
}

/** The one-line summary operators see in Temporal UI's workflow list. */
export function staticSummary(account: Pick<AccountSummary, 'handle' | 'platform' | 'penName'>): string {
  return `${displayHandle(account.handle)} on ${PLATFORM_NAMES[account.platform]} — ${account.penName}`;
}

function startOptions(target: AccountWorkflowTarget, account: AccountSummary) {
  const input: AccountWorkflowInput = {
    accountId: account.accountId,
    ...(target.warningLeadMs === undefined ? {} : { warningLeadMs: target.warningLeadMs }),
    ...(target.overdueDecisionMs === undefined ? {} : { overdueDecisionMs: target.overdueDecisionMs }),
    ...(target.historyEventLimit === undefined ? {} : { historyEventLimit: target.historyEventLimit }),
  };
  return {
    workflowId: accountWorkflowId(account.accountId),
    taskQueue: target.taskQueue,
    args: [input] as [AccountWorkflowInput],
    staticSummary: staticSummary(account),
  };
}

/**
 * Connect and reconnect are one idempotent call: update-with-start delivers "new credentials are
 * stored" to the running workflow, or starts it first. Answers with the workflow's verdict.
 */
export async function connectOrReconnect(target: AccountWorkflowTarget, account: AccountSummary): Promise<ReconnectResult> {
  const startWorkflowOperation = new WithStartWorkflowOperation(accountWorkflow, {
    ...startOptions(target, account),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return target.client.workflow.executeUpdateWithStart(reconnectUpdate, { startWorkflowOperation });
}

/** Starts the workflow of an account that has none (self-healing); a running one is left alone. */
export async function ensureAccountWorkflow(target: AccountWorkflowTarget, account: AccountSummary): Promise<'started' | 'running'> {
  const handle = target.client.workflow.getHandle(accountWorkflowId(account.accountId));
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return 'running';
  } catch (error) {
    if (!(error instanceof Error && error.name === 'WorkflowNotFoundError')) throw error;
  }
  await target.client.workflow.start(accountWorkflow, { ...startOptions(target, account), workflowIdConflictPolicy: 'USE_EXISTING' });
  return 'started';
}

/**
 * Why an account workflow did not do what was asked, in words a user can act on: the workflow's own
 * refusal, or that it is not running. Undefined for errors nobody expects (let them propagate).
 */
export function workflowRefusal(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
  if (error instanceof WorkflowNotFoundError) return 'its lifecycle is not running; reconnect it.';
  return undefined;
}
