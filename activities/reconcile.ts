import { Context } from '@temporalio/activity';
import { listConnectedAccountIds } from '../db/accounts.js';
import { pruneAccountEvents } from '../db/account-events.js';
import { sweepClaims } from '../db/claims.js';
import type { Models } from '../db/models/index.js';
import { noteQueueRestore } from '../db/queue-restores.js';
import { sweepRenewalSlots } from '../db/renewal-slots.js';
import { AccountWorkflowClient } from '../services/account-workflows/client.js';
import type { AccountWorkflowTarget } from '../services/account-workflows/target.js';
import type { AccountSummary } from './lifecycle/contract.js';
import { requeueWaitingPosts } from './requeue-posts.js';

// Self-healing: every connected account in MongoDB must have a running workflow. Missing ones are
// started, and the posts waiting for them queued again; running account workflows whose account is
// no longer connected are reported.
//
// One visibility list names the running workflows, so only accounts missing from it cost a read and
// a start. The list is eventually consistent: a workflow started a moment ago may be missing, which
// `ensureRunning` answers with 'running' (it checks before starting); one ended a moment ago
// may still be listed, and is then started on the next pass.

/** Ended claims older than this are deleted: far beyond any activity's timeout (db/claims.ts). */
const CLAIM_RETENTION_MS = 24 * 3600_000;
/** Token-request slots are only claimed about to start; an hour keeps clear of any clock skew. */
const RENEWAL_SLOT_RETENTION_MS = 3600_000;
const DEFAULT_EVENT_RETENTION_MS = 400 * 24 * 3600_000;

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
  /** Account timeline events older than this are deleted on each pass; default 400 days. */
  eventRetentionMs?: number;
}

/**
 * Starts an account's missing workflow, noting first that the posts its lost run held must be
 * handed to the new one: a pass that dies after the start leaves the note for the next pass.
 */
export async function restartAccountWorkflow(deps: Pick<ReconcileDeps, 'models' | 'describeAccount'>, client: AccountWorkflowClient, accountId: string): Promise<'started' | 'running'> {
  await noteQueueRestore(deps.models, accountId, new Date());
  return client.ensureRunning(await deps.describeAccount(accountId));
}

export function reconcileActivities(deps: ReconcileDeps) {
  return {
    async reconcileAccountWorkflows(): Promise<ReconcileReport> {
      const { workflows } = deps;
      if (!workflows) throw new Error('reconcileAccountWorkflows needs a Temporal client');
      const client = new AccountWorkflowClient(workflows);
      const runningWorkflows = await client.runningAccountIds((listed) => Context.current().heartbeat(`listed ${listed}`));
      const running = new Set(runningWorkflows.map((workflow) => workflow.accountId));
      const ids = await listConnectedAccountIds(deps.models);
      const started: string[] = [];
      for (const accountId of ids) {
        if (running.has(accountId)) continue;
        Context.current().heartbeat(accountId);
        if ((await restartAccountWorkflow(deps, client, accountId)) === 'started') started.push(accountId);
      }
      const requeuedPosts = await requeueWaitingPosts(deps.models, workflows, { now: new Date() });
      await sweepClaims(deps.models, new Date(Date.now() - CLAIM_RETENTION_MS));
      await sweepRenewalSlots(deps.models, new Date(Date.now() - RENEWAL_SLOT_RETENTION_MS));
      await pruneAccountEvents(deps.models, new Date(Date.now() - (deps.eventRetentionMs ?? DEFAULT_EVENT_RETENTION_MS)));
      const connected = new Set(ids);
      const orphans = runningWorkflows
        .filter(({ accountId }) => accountId === undefined || !connected.has(accountId))
        .map(({ workflowId }) => workflowId);
      const log = Context.current().log;
      if (started.length > 0) log.warn('started missing account workflows', { count: started.length, accountIds: started });
      if (orphans.length > 0) log.warn('account workflows without a connected account', { workflowIds: orphans });
      if (requeuedPosts > 0) log.warn('queued waiting posts again', { count: requeuedPosts });
      return { checked: ids.length, started, orphans, requeuedPosts };
    },
  };
}
