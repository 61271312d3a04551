import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { reconcileAccountsWorkflow } from '../workflows/reconcile.js';

/** The self-healing schedule of a task queue (one per namespace and task queue). */
export const reconcileScheduleId = (taskQueue: string) => `tether:reconcile-accounts:${taskQueue}`;

/** Creates the self-healing schedule once per namespace and task queue; an existing one is kept. */
export async function ensureReconcileSchedule(client: Client, taskQueue: string, every = '15 minutes'): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: reconcileScheduleId(taskQueue),
      spec: { intervals: [{ every }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: reconcileAccountsWorkflow,
        taskQueue,
        workflowId: `reconcile-accounts:${taskQueue}`,
        staticSummary: 'Self-healing: every connected account has its workflow',
      },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
}

/** Runs the reconciliation now and waits for its report (worker start). */
export async function reconcileNow(client: Client, taskQueue: string) {
  return client.workflow.execute(reconcileAccountsWorkflow, {
    taskQueue,
    workflowId: `reconcile-accounts:${taskQueue}:startup`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
