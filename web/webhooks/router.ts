import express, { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import type { Models } from '../../db/models/index.js';
import type { PlatformId } from '../../platforms/types.js';
import type { AccountWorkflowTarget } from '../../services/account-workflows/target.js';
import { SignalFailedError, signalRemovedAccess, type SignalDeps } from '../../services/accounts/revoked-access.js';
import { verifyMetaSignedRequest, type MetaSignedPayload, type MetaVerification } from './meta-signed-request.js';
import { appRemovedReason, tiktokRemovalReason } from './reasons.js';
import { parseTikTokEvent } from './tiktok-event.js';
import { verifyTikTokSignature } from './tiktok-signature.js';

// Platforms' "your app was removed" callbacks. No session, no CSRF: each request proves itself with
// the platform's signature over the exact bytes received. Answers are JSON: 200 once handled (also
// for users Tether does not know, so the platform stops retrying), 400 when the signature or body
// is wrong, 503 when a workflow could not be told (the platform retries).

export interface WebhookDeps {
  config: Config;
  models: Models;
  logger: Logger;
  workflows: AccountWorkflowTarget;
  /** Clock for the TikTok and Meta timestamp windows; default Date.now. */
  now?: () => number;
}

/**
 * Meta callback paths and the apps whose secret may have signed them. Facebook's URL also serves
 * Instagram (connected through Facebook Login; its own app when its client differs).
 */
const META_CALLBACKS: Record<string, PlatformId[]> = {
  facebook: ['facebook', 'instagram'],
  instagram: ['instagram'],
  threads: ['threads'],
};

const BODY_LIMIT = '64kb';

export function webhooksRouter(deps: WebhookDeps): Router {
  const router = Router();
  const signalDeps: SignalDeps = { models: deps.models, workflows: deps.workflows, logger: deps.logger };
  for (const [path, platforms] of Object.entries(META_CALLBACKS)) {
    router.post(`/${path}/deauthorize`, express.urlencoded({ extended: false, limit: BODY_LIMIT }), metaDeauthorize(deps, signalDeps, platforms));
  }
  router.post('/tiktok', express.raw({ type: () => true, limit: BODY_LIMIT }), tiktokWebhook(deps, signalDeps));
  router.use((_req, res) => {
    res.status(404).json({ error: 'Not found' });
  });
  router.use(webhookErrors(deps));
  return router;
}

function refuse(res: Response, status: number, error: string): void {
  res.status(status).json({ error });
}

function metaDeauthorize(deps: WebhookDeps, signalDeps: SignalDeps, candidates: PlatformId[]): RequestHandler {
  return async (req, res) => {
    const apps = candidates.flatMap((platform) => {
      const secret = deps.config.platforms.clients[platform]?.clientSecret;
      return secret ? [{ platform, secret }] : [];
    });
    if (apps.length === 0) return refuse(res, 404, 'Not found');
    const signedRequest = (req.body as Record<string, unknown> | undefined)?.signed_request;
    if (typeof signedRequest !== 'string' || !signedRequest) return refuse(res, 400, 'signed_request is missing');

    // Every app whose secret verifies it is covered: one Meta app serving two platforms is removed from both.
    const verifiedFor: PlatformId[] = [];
    let payload: MetaSignedPayload | undefined;
    let refusal: Extract<MetaVerification, { ok: false }> | undefined;
    const window = { nowSec: Math.floor((deps.now ?? Date.now)() / 1000), maxAgeSec: deps.config.security.metaSignedRequestMaxAgeSec };
    for (const app of apps) {
      const result = verifyMetaSignedRequest(signedRequest, app.secret, window);
      if (result.ok) {
        verifiedFor.push(app.platform);
        payload = result.payload;
      } else {
        refusal = result;
        if (result.problem !== 'bad_signature') break;
      }
    }
    if (!payload || verifiedFor.length === 0) {
      deps.logger.warn({ path: req.originalUrl, problem: refusal?.problem }, 'webhook: Meta callback refused');
      return refuse(res, 400, refusal?.message ?? 'signed_request could not be verified');
    }
    const outcome = await signalRemovedAccess(signalDeps, {
      platforms: verifiedFor,
      userId: payload.userId,
      removedAtSec: payload.issuedAt,
      reasonFor: appRemovedReason,
    });
    deps.logger.info({ platforms: verifiedFor, signalled: outcome.signalled, withoutWorkflow: outcome.withoutWorkflow }, 'webhook: Meta app removal handled');
    res.status(200).json({ received: true });
  };
}

function tiktokWebhook(deps: WebhookDeps, signalDeps: SignalDeps): RequestHandler {
  return async (req, res) => {
    const client = deps.config.platforms.clients.tiktok;
    if (!client) return refuse(res, 404, 'Not found');
    const rawBody = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const nowSec = Math.floor((deps.now ?? Date.now)() / 1000);
    const signature = verifyTikTokSignature({ header: req.get('TikTok-Signature'), rawBody, clientSecret: client.clientSecret, nowSec });
    if (!signature.ok) {
      deps.logger.warn({ problem: signature.problem }, 'webhook: TikTok callback refused');
      return refuse(res, 400, signature.message);
    }
    const parsed = parseTikTokEvent(rawBody);
    if (!parsed.ok) return refuse(res, 400, parsed.message);
    const { event } = parsed;
    if (event.clientKey && event.clientKey !== client.clientId) return refuse(res, 400, 'client_key is not this app');
    if (event.event !== 'authorization.removed') {
      res.status(200).json({ received: true });
      return;
    }
    const outcome = await signalRemovedAccess(signalDeps, {
      platforms: ['tiktok'],
      userId: event.userOpenId,
      removedAtSec: event.createTime,
      reasonFor: () => tiktokRemovalReason(event.removalReason),
    });
    deps.logger.info({ signalled: outcome.signalled, withoutWorkflow: outcome.withoutWorkflow, removalReason: event.removalReason }, 'webhook: TikTok authorization removal handled');
    res.status(200).json({ received: true });
  };
}

/** Bodies that cannot be read are the sender's fault (4xx); a workflow that cannot be told is ours, so the platform should retry. */
function webhookErrors(deps: WebhookDeps): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) return;
    if (error?.type === 'entity.too.large') return refuse(res, 413, 'The body is too large');
    const type: unknown = error?.type;
    if (typeof type === 'string' && (type.startsWith('entity.') || type === 'charset.unsupported' || type === 'encoding.unsupported')) {
      return refuse(res, 400, 'The body could not be read');
    }
    if (error instanceof SignalFailedError) {
      deps.logger.error({ err: error.cause, accountIds: error.accountIds }, 'webhook: account workflows could not be signalled');
      return refuse(res, 503, 'The notice could not be recorded; try again later');
    }
    // The body parser marks other unreadable bodies (a gzip body that is not gzip) with a 4xx status and no type.
    const status: unknown = error?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) return refuse(res, status, 'The body could not be read');
    deps.logger.error({ err: error, path: req.originalUrl }, 'webhook failed');
    refuse(res, 500, 'Internal error');
  };
}
