import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Models } from '../db/models/index.js';
import { MongoRateLimitStore } from './rate-limit-store.js';
import helmet from 'helmet';
import type { Config } from '../config/index.js';

// Security middleware: headers (helmet with a strict CSP), CSRF protection with a per-session
// synchronizer token, and the login rate limits.

export const CSRF_FIELD = '_csrf';
export const CSRF_ERROR_CODE = 'EBADCSRFTOKEN';

/**
 * Pages use no inline script or style and load nothing from elsewhere. Images may come from
 * platforms (avatars over https, or the local sandbox in sandbox mode). Forms post only to Tether.
 */
export function securityHeaders(config: Pick<Config, 'env' | 'platforms'>): RequestHandler {
  const production = config.env === 'production';
  const sandboxImages = config.platforms.mode === 'sandbox' ? [new URL(config.platforms.sandboxUrl).origin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:', ...sandboxImages],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/** Every POST/PUT/PATCH/DELETE after this must carry the session's token in `_csrf` (forms) or `x-csrf-token`. */
export function csrfProtection(): RequestHandler {
  const { csrfSynchronisedProtection } = csrfSync({
    size: 32,
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      return typeof fromBody === 'string' ? fromBody : req.get('x-csrf-token');
    },
    errorConfig: { statusCode: 403, message: 'The form expired or did not come from Tether.', code: CSRF_ERROR_CODE },
  });
  return csrfSynchronisedProtection;
}

export interface LoginLimits {
  windowMs: number;
  /** Failed attempts per address and email within the window. */
  perAccount: number;
  /** Failed attempts per address within the window, whatever the email. */
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perAccount: 10, perAddress: 50 };

/**
 * Failed logins are counted per client address and per (address, email); successful ones are not.
 * Counters live in MongoDB, so several web instances share them.
 */
export function loginRateLimits(limits: LoginLimits, models: Pick<Models, 'RateLimitHit'>, onLimited: RequestHandler): RequestHandler[] {
  const emailOf = (body: unknown) => {
    const email = (body as Record<string, unknown> | undefined)?.email;
    return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
  };
  const common = { windowMs: limits.windowMs, skipSuccessfulRequests: true, standardHeaders: 'draft-8' as const, legacyHeaders: false, handler: onLimited };
  return [
    rateLimit({
      ...common,
      limit: limits.perAddress,
      store: new MongoRateLimitStore(models, 'login-address:'),
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    }),
    rateLimit({
      ...common,
      limit: limits.perAccount,
      store: new MongoRateLimitStore(models, 'login-account:'),
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${emailOf(req.body)}`,
    }),
  ];
}
