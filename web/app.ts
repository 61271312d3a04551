import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Store } from 'express-session';
import type { Client } from '@temporalio/client';
import type { Logger } from '../config/logger.js';
import type { PlatformAdapter, PlatformId } from '../platforms/types.js';
import { accountWorkflowTargetFor, type AccountWorkflowTarget } from '../services/account-workflows/target.js';
import type { WebMetrics } from '../services/metrics/registry.js';
import { authRoutes, type AuthRoutesDeps } from './auth/index.js';
import { createAuthenticator } from './auth/passport.js';
import type { AccountPagesDeps } from './deps.js';
import { billingRouter } from './billing/router.js';
import { connectRouter } from './connect/router.js';
import { accountsNeedingActionLocals } from './connections/attention.js';
import { connectionsRouter } from './connections/router.js';
import { devMailRouter } from './dev-mail/router.js';
import { httpMetrics } from './metrics.js';
import { notificationCountLocals } from './notifications/count.js';
import { notificationsRouter } from './notifications/router.js';
import { penNameContext } from './pen-names/context.js';
import { penNamesRouter } from './pen-names/router.js';
import { postsRouter } from './posts/router.js';
import { renderNotFound, renderPage } from './respond.js';
import { diagnosticsRouter } from './routes/diagnostics.js';
import { healthRouter, type ReadinessChecks } from './routes/health.js';
import { platformUrlFilter } from './platform-links.js';
import { CSRF_ERROR_CODE, CSRF_FIELD, csrfProtection, securityHeaders } from './security.js';
import { MongoSessionStore, saveSessionBeforeRedirect, sessionMiddleware } from './session.js';
import { webhooksRouter } from './webhooks/router.js';
import { mediaFilesRouter } from './routes/media.js';
import { composeUploads } from './posts/uploads.js';
import { displayHandle } from '../platforms/handle.js';

/** Config, models, logger, the mailer and the auth forms' rate limits are the auth pages' (auth/index.ts). */
export interface AppDeps extends Omit<AuthRoutesDeps, 'authenticator'> {
  temporal: Client;
  readiness: ReadinessChecks;
  /** Defaults to MongoDB (`models.Session`), swept every 10 minutes. */
  sessionStore?: Store;
  /** Times every request for /metrics (served on its own listener by web/main.ts). */
  metrics?: WebMetrics;
  /** Platform adapters (`createAdapters`); without them no platform can be connected. */
  adapters?: Partial<Record<PlatformId, PlatformAdapter>>;
  /** How connect flows and account actions reach account workflows; default `temporal` on the configured task queue. */
  workflows?: AccountWorkflowTarget;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** The dashboard as an app object, separate from the listener so tests drive it over HTTP. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const workflows = deps.workflows ?? accountWorkflowTargetFor(deps.temporal, deps.config);
  app.disable('x-powered-by');
  // Behind a reverse proxy on a private network (docker-compose), believe its X-Forwarded-* headers; never a public address's.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.set('views', path.join(here, 'views'));
  app.set('view engine', 'ejs');
  app.locals.csrfField = CSRF_FIELD;
  app.locals.displayHandle = displayHandle;
  app.locals.supportEmail = deps.config.web.supportEmail;
  app.locals.platformUrl = platformUrlFilter(deps.config.platforms);
  app.locals.devMail = Boolean(deps.config.email.catcher);

  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(securityHeaders(deps.config));
  app.use('/static', express.static(path.join(here, 'public'), { maxAge: deps.config.env === 'production' ? '1d' : 0 }));

  // Stored media at signed, expiring addresses, for the platforms that fetch them: no session.
  app.use('/media', mediaFilesRouter(deps));

  // Platform callbacks verify signatures over their raw bodies: before any body parser, session or CSRF.
  app.use('/webhooks', webhooksRouter({ ...deps, workflows }));

  // Operator endpoints: JSON, no session, no user data, so no cookie and no CSRF token.
  app.use(express.json({ limit: '100kb' }));
  app.use(healthRouter(deps.readiness, deps.logger));
  app.use('/diagnostics', diagnosticsRouter(deps));

  // The dashboard: session, login, CSRF on every state-changing request.
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(sessionMiddleware(deps.config, deps.sessionStore ?? new MongoSessionStore(deps.models, { logger: deps.logger })));
  app.use(saveSessionBeforeRedirect());
  const authenticator = createAuthenticator(deps.models);
  app.use(authenticator.initialize());
  app.use(authenticator.session());
  app.use(pageLocals());
  // The compose form's files, parsed before the CSRF check reads the token among its fields.
  app.use('/posts', composeUploads());
  app.use(csrfProtection());
  app.use(csrfTokenLocal());
  app.use(penNameContext(deps.models));
  app.use(notificationCountLocals(deps.models));
  app.use(accountsNeedingActionLocals(deps.models));

  app.get('/', (req, res) => res.redirect(303, req.user ? '/connections' : '/login'));
  // Development only: the mail `npm start` caught.
  if (deps.config.email.catcher) app.use('/dev/mail', devMailRouter({ dir: deps.config.email.catcher.dir, publicUrl: deps.config.web.publicUrl }));
  app.use(authRoutes({ ...deps, authenticator }));
  app.use('/pen-names', penNamesRouter(deps));
  app.use('/billing', billingRouter(deps));
  app.use(notificationsRouter(deps));
  const accountDeps: AccountPagesDeps = {
    config: deps.config,
    models: deps.models,
    adapters: deps.adapters ?? {},
    workflows,
  };
  app.use('/connections', connectionsRouter(accountDeps));
  app.use('/posts', postsRouter(accountDeps));
  app.use('/connect', connectRouter(accountDeps));

  app.use((req, res) => (wantsJson(req) ? res.status(404).json({ error: 'Not found' }) : renderNotFound(res)));
  app.use(errorHandler(deps.logger));
  return app;
}

/** What the layout needs on every page. */
function pageLocals(): RequestHandler {
  return (req, res, next) => {
    res.locals.user = req.user;
    res.locals.currentPath = req.originalUrl;
    res.locals.penNames = [];
    // Counted by notificationCountLocals; 0 for pages rendered before it runs (e.g. a refused CSRF token).
    res.locals.notificationCount = 0;
    next();
  };
}

/**
 * `csrfToken` for the forms of a page, made (and stored in the session) only when a page reads it:
 * made on every request, it would store a session for each anonymous redirect or JSON answer.
 */
function csrfTokenLocal(): RequestHandler {
  return (req, res, next) => {
    let assigned: unknown;
    Object.defineProperty(res.locals, 'csrfToken', {
      enumerable: true,
      configurable: true,
      get: () => (assigned ??= req.csrfToken?.()),
      set: (value: unknown) => {
        assigned = value;
      },
    });
    next();
  };
}

function wantsJson(req: Request): boolean {
  return req.path.startsWith('/diagnostics') || req.accepts(['html', 'json']) === 'json';
}

/** Known client errors keep their status and a plain message; anything else is a 500 that is logged, never shown. */
function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const candidate = typeof error?.status === 'number' ? error.status : typeof error?.statusCode === 'number' ? error.statusCode : 500;
    const status = candidate >= 400 && candidate < 500 ? candidate : 500;
    if (status === 500) logger.error({ err: error, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.locals.csrfToken ??= req.csrfToken?.();
    let message = 'Something went wrong on our side; it has been logged. Please try again.';
    if (error?.code === CSRF_ERROR_CODE) message = 'This form expired or did not come from Tether. Go back, reload the page and try again.';
    else if (error?.type === 'entity.too.large') message = 'The form was too large.';
    else if (error?.type === 'entity.parse.failed') message = 'The request body could not be read.';
    else if (status !== 500) message = 'The request could not be handled.';
    if (wantsJson(req)) {
      res.status(status).json({ error: message });
      return;
    }
    renderPage(res, 'error', { title: status === 403 ? 'Refused' : 'Error', heading: status === 500 ? 'Something went wrong' : 'Request refused', message }, status).catch(
      (renderError: unknown) => {
        logger.error({ err: renderError }, 'error page failed');
        if (!res.headersSent) res.status(status).type('text').send(message);
      },
    );
  };
}
