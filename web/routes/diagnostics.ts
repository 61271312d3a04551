import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { diagnosticRoundTripWorkflow } from '../../workflows/diagnostics.js';
import type { AppDeps } from '../app.js';

const checkIdParam = z.object({ checkId: z.uuid({ message: 'checkId must be a UUID' }) });

/**
 * System check for operators: POST runs a workflow whose activity writes to MongoDB; GET reads
 * that record back. Exercises web -> Temporal -> worker -> database in one request.
 */
export function diagnosticsRouter(deps: Pick<AppDeps, 'temporal' | 'models' | 'config'>): Router {
  const router = Router();
  router.post('/roundtrip', async (_req, res) => {
    const checkId = randomUUID();
    const result = await deps.temporal.workflow.execute(diagnosticRoundTripWorkflow, {
      workflowId: `diagnostic:${checkId}`,
      taskQueue: deps.config.temporal.taskQueue,
      args: [checkId],
      workflowExecutionTimeout: '30 seconds',
    });
    res.status(201).json(result);
  });
  router.get('/roundtrip/:checkId', async (req, res) => {
    const params = checkIdParam.safeParse(req.params);
    if (!params.success) {
      res.status(400).json({ error: params.error.issues[0]?.message ?? 'invalid checkId', field: 'checkId' });
      return;
    }
    const record = await deps.models.Diagnostic.findOne({ checkId: params.data.checkId }).lean();
    if (!record) {
      res.status(404).json({ error: 'No such check' });
      return;
    }
    res.json({ checkId: record.checkId, workflowId: record.workflowId, writtenBy: record.writtenBy, writtenAt: record.writtenAt });
  });
  return router;
}
