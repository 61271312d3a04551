import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import type { Models } from '../db/models/index.js';
import { diagnosticsRouter } from './routes/diagnostics.js';
import { healthRouter, type ReadinessChecks } from './routes/health.js';

export interface AppDeps {
  config: Config;
  models: Models;
  temporal: Client;
  readiness: ReadinessChecks;
  logger: Logger;
}

/** The dashboard as an app object, separate from the listener so tests drive it over HTTP. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));

  app.use(healthRouter(deps.readiness));
  app.use('/diagnostics', diagnosticsRouter(deps));

  app.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) deps.logger.error({ err: error, path: req.path }, 'request failed');
    res.status(status).json({ error: status === 500 ? 'Internal error; it has been logged.' : String(error.message ?? 'Bad request') });
  };
  app.use(onError);
  return app;
}
