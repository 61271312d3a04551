import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { diagnosticRoundTripWorkflow } from '../workflows/diagnostics.js';

/**
 * The operators' system check: a workflow whose activity writes a record to MongoDB, so one call
 * exercises Temporal, a worker and the database. Answers once the record is written (30 s at most).
 */
export async function runSystemCheck(client: Client, taskQueue: string): Promise<{ checkId: string; writtenBy: string }> {
  const checkId = randomUUID();
  return client.workflow.execute(diagnosticRoundTripWorkflow, {
    workflowId: `diagnostic:${checkId}`,
    taskQueue,
    args: [checkId],
    workflowExecutionTimeout: '30 seconds',
  });
}
