import { Context } from '@temporalio/activity';
import type { Models } from '../db/models/index.js';

export function diagnosticActivities(deps: { models: Models; workerIdentity: string }) {
  return {
    async recordDiagnostic(checkId: string): Promise<{ checkId: string; writtenBy: string }> {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'none';
      // Upsert keyed by checkId, so a retried activity writes the same single record.
      await deps.models.Diagnostic.updateOne(
        { checkId },
        { $setOnInsert: { checkId, workflowId, writtenBy: deps.workerIdentity, writtenAt: new Date() } },
        { upsert: true },
      );
      return { checkId, writtenBy: deps.workerIdentity };
    },
  };
}
