import type { Client } from '@temporalio/client';
import type { AccountSummary } from '../../activities/lifecycle/contract.js';
import type { Config } from '../../config/index.js';
import { accountWorkflowId } from '../../workflows/account/messages.js';
import { accountTitle } from '../../workflows/account/title.js';
import { identityAttributes } from '../../workflows/search-attributes.js';
import type { AccountWorkflowInput } from '../../workflows/account/workflow.js';

// Where account workflows live: the Temporal client, their task queue, and the lifecycle settings
// a new workflow starts with. Web, worker, activities and tools pass this around; the client
// (`AccountWorkflowClient`) talks to the workflows through it.

export interface AccountWorkflowTarget {
  client: Client;
  taskQueue: string;
  /** Lifecycle settings passed to new workflows. */
  warningLeadMs?: number;
  healthCheckMs?: number;
  publishRenewalLeadMs?: number;
  overdueDecisionMs?: number;
  historyEventLimit?: number;
}

/** Account workflows on the configured task queue, started with the configured lifecycle settings. */
export function accountWorkflowTargetFor(client: Client, config: Pick<Config, 'temporal' | 'lifecycle' | 'publishing'>): AccountWorkflowTarget {
  const { warningLeadMs, healthCheckMs, publishRenewalLeadMs } = config.lifecycle;
  return { client, taskQueue: config.temporal.taskQueue, warningLeadMs, healthCheckMs, publishRenewalLeadMs, overdueDecisionMs: config.publishing.overdueDecisionMs };
}

/** How an account's workflow is started: its id, queue, input, summary and who the account is (search attributes). */
export function startOptions(target: AccountWorkflowTarget, account: AccountSummary) {
  const input: AccountWorkflowInput = {
    accountId: account.accountId,
    ...(target.warningLeadMs === undefined ? {} : { warningLeadMs: target.warningLeadMs }),
    ...(target.healthCheckMs === undefined ? {} : { healthCheckMs: target.healthCheckMs }),
    ...(target.publishRenewalLeadMs === undefined ? {} : { publishRenewalLeadMs: target.publishRenewalLeadMs }),
    ...(target.overdueDecisionMs === undefined ? {} : { overdueDecisionMs: target.overdueDecisionMs }),
    ...(target.historyEventLimit === undefined ? {} : { historyEventLimit: target.historyEventLimit }),
  };
  return {
    workflowId: accountWorkflowId(account.accountId),
    taskQueue: target.taskQueue,
    args: [input] as [AccountWorkflowInput],
    staticSummary: accountTitle(account),
    typedSearchAttributes: identityAttributes(account),
  };
}
