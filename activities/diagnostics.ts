import { Context } from '@temporalio/activity';
import { recordDiagnostic } from '../db/diagnostics.js';
import type { Models } from '../db/models/index.js';

export function diagnosticActivities(deps: { models: Models; workerIdentity: string }) {
  return {
    async recordDiagnostic(checkId: string): Promise<{ checkId: string; writtenBy: string }> {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'none';
      await recordDiagnostic(deps.models, { checkId, workflowId, writtenBy: deps.workerIdentity, writtenAt: new Date() });
      return { checkId, writtenBy: deps.workerIdentity };
    },
  };
}
