import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../../config/index.js';
import { sameBytes } from '../../db/crypto.js';
import { deleteDiagnosticsBefore, findDiagnostic } from '../../db/diagnostics.js';
import type { Models } from '../../db/models/index.js';
import { runSystemCheck } from '../../services/system-check.js';

const checkIdParam = z.object({ checkId: z.uuid({ message: 'checkId must be a UUID' }) });

/** A check's record is read back within this time; older ones are not served and are deleted by the next check. */
export const DIAGNOSTIC_RETENTION_MS = 60 * 60_000;

/**
 * System check for operators: POST runs a workflow whose activity writes to MongoDB; GET reads
 * that record back. Exercises web -> Temporal -> worker -> database in one request.
 * With DIAGNOSTICS_TOKEN set, both need `Authorization: Bearer <token>`; without one it is open in
 * development and switched off (404) in production. A bearer token is never sent by a browser on
 * its own, so no CSRF token is needed. One check runs at a time per web process, records expire
 * (no TTL indexes on FerretDB: expired ones are deleted before each new check and never served),
 * and answers say nothing about the hosts that ran the check.
 */
export function diagnosticsRouter(deps: { temporal: Client; models: Models; config: Pick<Config, 'temporal' | 'env' | 'security'> }): Router {
  const router = Router();
  const token = deps.config.security.diagnosticsToken;
  if (!token && deps.config.env === 'production') {
    router.use((_req, res) => {
      res.status(404).json({ error: 'Not found' });
    });
    return router;
  }
  if (token) router.use(requireBearer(token));

  let checkRunning = false;
  router.post('/roundtrip', async (_req, res) => {
    if (checkRunning) {
      res.status(429).set('Retry-After', '5').json({ error: 'A system check is already running; try again in a few seconds.' });
      return;
    }
    checkRunning = true;
    try {
      await deleteDiagnosticsBefore(deps.models, new Date(Date.now() - DIAGNOSTIC_RETENTION_MS));
      // The worker's identity (host and pid) stays in the record, out of the answer.
      const { checkId } = await runSystemCheck(deps.temporal, deps.config.temporal.taskQueue);
      res.status(201).json({ checkId, workflowId: `diagnostic:${checkId}`, status: 'ok' });
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
    if (!record || record.writtenAt.getTime() < Date.now() - DIAGNOSTIC_RETENTION_MS) {
      res.status(404).json({ error: 'No such check' });
      return;
    }
    res.json({ checkId: record.checkId, workflowId: record.workflowId, writtenAt: record.writtenAt });
  });
  return router;
}

function requireBearer(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, res, next) => {
    const presented = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (presented && sameBytes(Buffer.from(presented), expected)) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'An operator token is required (Authorization: Bearer <DIAGNOSTICS_TOKEN>)' });
  };
}
