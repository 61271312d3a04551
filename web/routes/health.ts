import { Router } from 'express';
import type { Logger } from '../../config/logger.js';

export type ReadinessChecks = Record<string, () => Promise<void>>;

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers, or 503 naming the ones
 * that do not. The answer names parts only: what failed, with its host, port and error, goes to
 * the log, never to whoever asks (the endpoint needs no login).
 */
export function healthRouter(checks: ReadinessChecks, logger?: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 3000);
          return [name, 'ok'] as const;
        } catch (error) {
          logger?.warn({ check: name, err: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const failing = results.filter(([, state]) => state !== 'ok').map(([name]) => name);
    res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unavailable' : 'ok', failing, checks: Object.fromEntries(results) });
  });
  return router;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
