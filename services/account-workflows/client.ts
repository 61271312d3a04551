import { WithStartWorkflowOperation } from '@temporalio/client';
import type { AccountSummary } from '../../activities/lifecycle/contract.js';
import {
  accountIdOfWorkflowId,
  accountWorkflowId,
  checkPremiumUpdate,
  disconnectUpdate,
  penNameChangedSignal,
  reconnectUpdate,
  refreshNowUpdate,
  resolveOverdueUpdate,
  revokedSignal,
  schedulePostUpdate,
  stateQuery,
  testPostUpdate,
  unschedulePostUpdate,
  type AccountStateView,
  type DisconnectResult,
  type OverdueDecision,
  type PremiumResult,
  type ReconnectResult,
  type RefreshNowResult,
  type ScheduleResult,
  type TestPostResult,
} from '../../workflows/account/messages.js';
import type { Reason } from '../../workflows/lifecycle/types.js';
import { accountWorkflow } from '../../workflows/account/workflow.js';
import { refusalOf, type Answer } from './refusal.js';
import { startOptions, type AccountWorkflowTarget } from './target.js';

// The one way web, worker, activities and tools talk to account workflows. Each call answers the
// workflow's typed result, or a typed refusal (`Answer`): callers decide what to say about it, and
// nothing else reads Temporal's errors. Errors nobody expects still throw.

export class AccountWorkflowClient {
  constructor(readonly target: AccountWorkflowTarget) {}

  /**
   * Connect and reconnect are one idempotent call: update-with-start delivers "new credentials are
   * stored" to the running workflow, or starts it first. Answers with the workflow's verdict.
   */
  connect(account: AccountSummary): Promise<ReconnectResult> {
    const startWorkflowOperation = new WithStartWorkflowOperation(accountWorkflow, {
      ...startOptions(this.target, account),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return this.target.client.workflow.executeUpdateWithStart(reconnectUpdate, { startWorkflowOperation });
  }

  /** Starts the workflow of an account that has none (self-healing); a running one is left alone. */
  async ensureRunning(account: AccountSummary): Promise<'started' | 'running'> {
    const described = await this.ask(() => this.handle(account.accountId).describe());
    if (described.ok && described.value.status.name === 'RUNNING') return 'running';
    if (!described.ok && described.refusal.kind !== 'notRunning') throw new Error(`the workflow of ${account.accountId} could not be described`);
    await this.target.client.workflow.start(accountWorkflow, { ...startOptions(this.target, account), workflowIdConflictPolicy: 'USE_EXISTING' });
    return 'started';
  }

  /** Ids of the accounts whose workflow runs on the target's task queue; `progress` hears each page of 500. */
  async runningAccountIds(progress: (listed: number) => void = () => undefined): Promise<{ accountId: string | undefined; workflowId: string }[]> {
    const query = `WorkflowType = 'accountWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.target.taskQueue}'`;
    const running: { accountId: string | undefined; workflowId: string }[] = [];
    for await (const execution of this.target.client.workflow.list({ query })) {
      if (running.length % 500 === 0) progress(running.length);
      running.push({ accountId: accountIdOfWorkflowId(execution.workflowId), workflowId: execution.workflowId });
    }
    return running;
  }

  refreshNow(accountId: string): Promise<Answer<RefreshNowResult>> {
    return this.ask(() => this.handle(accountId).executeUpdate(refreshNowUpdate));
  }

  disconnect(accountId: string): Promise<Answer<DisconnectResult>> {
    return this.ask(() => this.handle(accountId).executeUpdate(disconnectUpdate));
  }

  /** X only: the workflow reads the subscription; the call gives up after `deadlineMs`. */
  checkPremium(accountId: string, deadlineMs: number): Promise<Answer<PremiumResult>> {
    return this.ask(() => this.handle(accountId).executeUpdate(checkPremiumUpdate), deadlineMs);
  }

  testPost(accountId: string, postId: string): Promise<Answer<TestPostResult>> {
    return this.ask(() => this.handle(accountId).executeUpdate(testPostUpdate, { args: [{ postId }] }));
  }

  schedulePost(accountId: string, post: { postId: string; dueAt: Date }): Promise<Answer<ScheduleResult>> {
    return this.ask(() => this.handle(accountId).executeUpdate(schedulePostUpdate, { args: [{ postId: post.postId, dueAt: post.dueAt.toISOString() }] }));
  }

  unschedulePost(accountId: string, postId: string): Promise<Answer<{ removed: boolean }>> {
    return this.ask(() => this.handle(accountId).executeUpdate(unschedulePostUpdate, { args: [{ postId }] }));
  }

  resolveOverdue(accountId: string, decision: OverdueDecision): Promise<Answer<{ postIds: string[] }>> {
    return this.ask(() => this.handle(accountId).executeUpdate(resolveOverdueUpdate, { args: [decision] }));
  }

  state(accountId: string): Promise<Answer<AccountStateView>> {
    return this.ask(() => this.handle(accountId).query(stateQuery));
  }

  /** The platform said access was removed (a signal: nobody waits for the workflow). */
  revoked(accountId: string, reason: Reason): Promise<Answer<void>> {
    return this.ask(() => this.handle(accountId).signal(revokedSignal, { reason }));
  }

  /** The account's pen name is now `penName` (renamed, or the account moved): operators see it in Temporal UI. */
  penNameChanged(accountId: string, change: { penNameId: string; penName: string }): Promise<Answer<void>> {
    return this.ask(() => this.handle(accountId).signal(penNameChangedSignal, change));
  }

  private handle(accountId: string) {
    return this.target.client.workflow.getHandle(accountWorkflowId(accountId));
  }

  private async ask<T>(call: () => Promise<T>, deadlineMs?: number): Promise<Answer<T>> {
    try {
      const value = deadlineMs === undefined ? await call() : await this.target.client.withDeadline(Date.now() + deadlineMs, call);
      return { ok: true, value };
    } catch (error) {
      const refusal = refusalOf(error, deadlineMs);
      if (refusal === undefined) throw error;
      return { ok: false, refusal };
    }
  }
}
