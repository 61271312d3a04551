import { Router } from 'express';
import type { Config } from '../../config/index.js';
import type { Logger } from '../../config/logger.js';
import type { Models } from '../../db/models/index.js';
import { createAuthTokens } from '../../services/auth/tokens.js';
import type { Mailer } from '../../services/mailer.js';
import { emailLinksRouter } from './email-links-router.js';
import { DEFAULT_EMAIL_LIMITS, DEFAULT_LOGIN_LIMITS, type EmailLimits, type LoginLimits } from './limits.js';
import type { Authenticator } from './passport.js';
import { authRouter } from './router.js';

export interface AuthRoutesDeps {
  config: Config;
  models: Models;
  logger: Logger;
  authenticator: Authenticator;
  /** Sends confirmation and reset links; without one (SMTP_URL unset) they are logged as not sent. */
  mailer?: Mailer;
  /** Failed logins; unset parts take DEFAULT_LOGIN_LIMITS. */
  loginLimits?: Partial<LoginLimits>;
  /** Registration and requests for an emailed link; unset parts take DEFAULT_EMAIL_LIMITS. */
  emailLimits?: Partial<EmailLimits>;
}

/** Every visitor-facing auth page: register, log in and out, confirm an address, reset a password. */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const auth = {
    models: deps.models,
    config: deps.config,
    logger: deps.logger,
    mailer: deps.mailer,
    tokens: createAuthTokens(deps.models, deps.config.web.sessionSecret),
  };
  const loginLimits = { ...DEFAULT_LOGIN_LIMITS, ...deps.loginLimits };
  const emailLimits = { ...DEFAULT_EMAIL_LIMITS, ...deps.emailLimits };
  const router = Router();
  router.use(authRouter({ config: deps.config, models: deps.models, authenticator: deps.authenticator, loginLimits, emailLimits, auth }));
  router.use(emailLinksRouter({ models: deps.models, emailLimits, auth }));
  return router;
}
