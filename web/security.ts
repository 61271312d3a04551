import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import helmet from 'helmet';
import type { Config } from '../config/index.js';

// Security middleware: headers (helmet with a strict CSP) and CSRF protection with a per-session
// synchronizer token. The auth forms' rate limits are in auth/limits.ts.

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
