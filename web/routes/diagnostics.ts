import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import { findDiagnostic } from '../../db/diagnostics.js';
import type { Models } from '../../db/models/index.js';
import { runSystemCheck } from '../../services/system-check.js';

const checkIdParam = z.object({ checkId: z.uuid({ message: 'checkId must be a UUID' }) });

/**
 * System check for operators: POST runs a workflow whose activity writes to MongoDB; GET reads
 * that record back. Exercises web -> Temporal -> worker -> database in one request.
 * It needs no login (a load balancer or an operator's curl calls it), so one check runs at a time
 * per web process: a flood of requests cannot start a flood of workflows.
 */
export function diagnosticsRouter(deps: { temporal: Client; models: Models; config: Pick<Config, 'temporal'> }): Router {
  const router = Router();
  let checkRunning = false;
  router.post('/roundtrip', async (_req, res) => {
    if (checkRunning) {
      res.status(429).set('Retry-After', '5').json({ error: 'A system check is already running; try again in a few seconds.' });
      return;
    }
    checkRunning = true;
    try {
      res.status(201).json(await runSystemCheck(deps.temporal, deps.config.temporal.taskQueue));
    } finally {
      checkRunning = false;
    }
  });
  router.get('/roundtrip/:checkId', async (req, res) => {
    const params = checkIdParam.safeParse(req.params);
    if (!params.success) {
      res.status(400).json({ error: params.error.issues[0]?.message ?? 'invalid checkId', field: 'checkId' });
      return;
    }
    const record = await findDiagnostic(deps.models, params.data.checkId);
    if (!record) {
      res.status(404).json({ error: 'No such check' });
      return;
    }
    res.json({ checkId: record.checkId, workflowId: record.workflowId, writtenBy: record.writtenBy, writtenAt: record.writtenAt });
  });
  return router;
}
