import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Models } from '../../db/models/index.js';
import { MongoRateLimitStore } from '../rate-limit-store.js';

// Rate limits of the visitor-facing auth forms. Counters live in MongoDB, so several web instances
// share them. A limit on an email applies whatever the email: it says nothing about whether the
// address has an account.

export interface LoginLimits {
  windowMs: number;
  /** Failed attempts per address and email within the window. */
  perAccount: number;
  /** Failed attempts per address within the window, whatever the email. */
  perAddress: number;
  /** Failed attempts per email within the window, from any address (a distributed guess at one account). */
  perEmail: number;
}

/** Registration, and requests for an emailed link (confirmation again, password reset): every attempt counts. */
export interface EmailLimits {
  windowMs: number;
  perAddress: number;
  perEmail: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perAccount: 10, perAddress: 50, perEmail: 30 };
export const DEFAULT_EMAIL_LIMITS: EmailLimits = { windowMs: 60 * 60_000, perAddress: 20, perEmail: 5 };

const emailOf = (body: unknown) => {
  const email = (body as Record<string, unknown> | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase().slice(0, 254) : '';
};

function limiter(models: Pick<Models, 'RateLimitHit'>, prefix: string, options: { windowMs: number; limit: number; failuresOnly: boolean; key: (req: Parameters<RequestHandler>[0]) => string; onLimited: RequestHandler }): RequestHandler {
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    skipSuccessfulRequests: options.failuresOnly,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: options.onLimited,
    store: new MongoRateLimitStore(models, prefix),
    keyGenerator: options.key,
  });
}

/** Failed logins are counted per client address, per (address, email) and per email; successful ones are not. */
export function loginRateLimits(limits: LoginLimits, models: Pick<Models, 'RateLimitHit'>, onLimited: RequestHandler): RequestHandler[] {
  const common = { windowMs: limits.windowMs, failuresOnly: true, onLimited };
  return [
    limiter(models, 'login-address:', { ...common, limit: limits.perAddress, key: (req) => ipKeyGenerator(req.ip ?? 'unknown') }),
    limiter(models, 'login-account:', { ...common, limit: limits.perAccount, key: (req) => `${ipKeyGenerator(req.ip ?? 'unknown')}|${emailOf(req.body)}` }),
    limiter(models, 'login-email:', { ...common, limit: limits.perEmail, key: (req) => emailOf(req.body) }),
  ];
}

/** Every request of one email form (`name`: register, confirm-again, reset) per client address and per email. */
export function emailFormRateLimits(name: string, limits: EmailLimits, models: Pick<Models, 'RateLimitHit'>, onLimited: RequestHandler): RequestHandler[] {
  const common = { windowMs: limits.windowMs, failuresOnly: false, onLimited };
  return [
    limiter(models, `${name}-address:`, { ...common, limit: limits.perAddress, key: (req) => ipKeyGenerator(req.ip ?? 'unknown') }),
    limiter(models, `${name}-email:`, { ...common, limit: limits.perEmail, key: (req) => emailOf(req.body) }),
  ];
}
