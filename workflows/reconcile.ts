import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileReport } from '../activities/reconcile.js';

const { reconcileAccountWorkflows } = proxyActivities<{ reconcileAccountWorkflows(): Promise<ReconcileReport> }>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
  summary: 'Start missing account workflows, report orphans',
});

/** Run by a Temporal Schedule and at worker start: every connected account has its workflow. */
export async function reconcileAccountsWorkflow(): Promise<ReconcileReport> {
  return reconcileAccountWorkflows();
}
