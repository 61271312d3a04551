import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { recordDiagnostic } = proxyActivities<Pick<Activities, 'recordDiagnostic'>>({
  startToCloseTimeout: '10 seconds',
  summary: 'Write the diagnostic record',
});

/** Round trip used by the dashboard's system check: the workflow has its activity write to MongoDB. */
export async function diagnosticRoundTripWorkflow(checkId: string): Promise<{ checkId: string; writtenBy: string }> {
  return recordDiagnostic(checkId);
}
