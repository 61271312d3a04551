// Shared request handling: per-host routers, platform error flavours, token checks and faults.

import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { PlatformId } from '../../platforms/types.js';
import type { Grant, RevokeReason, SandboxIdentity, TokenRecord } from './model.js';
import type { SandboxState } from './state.js';

export type AuthFailure = 'missing' | 'invalid' | 'expired' | 'used' | RevokeReason;

/** How one platform says things go wrong. Every response the sandbox makes for it goes through here. */
export interface PlatformErrors {
  unauthorized(res: Response, reason: AuthFailure): void;
  serverError(res: Response, status?: number): void;
  /** `ids`: the account's ids, most specific last (Meta puts one in X-Business-Use-Case-Usage). */
  rateLimited(res: Response, resetAtMs: number, now: number, ids?: string[]): void;
  badRequest(res: Response, message: string): void;
  notFound(res: Response, req: Request): void;
}

/** One router per real host, mounted at `/<host>`. */
export class HostRegistry {
  private readonly routers = new Map<string, { router: Router; errors: PlatformErrors }>();

  constructor(private readonly app: Express) {}

  router(host: string, errors: PlatformErrors, options: { stripVersion?: boolean } = {}): Router {
    const existing = this.routers.get(host);
    if (existing) return existing.router;
    const router = express.Router({ mergeParams: true });
    if (options.stripVersion) {
      router.use((req, _res, next) => {
        req.url = req.url.replace(/^\/v\d+\.\d+(?=\/|\?|$)/, '') || '/';
        next();
      });
    }
    router.use(express.json({ type: ['application/json', 'application/*+json', 'text/json'], limit: '2mb' }));
    router.use(express.urlencoded({ extended: false, limit: '2mb' }));
    this.app.use(`/${host}`, router);
    this.routers.set(host, { router, errors });
    return router;
  }

  /**
   * A GET route on every host that has no router of its own (`/<any host>/<path>`): what people
   * serve on their own domains, such as a Bluesky handle's `/.well-known/atproto-did`.
   */
  anyHost(path: string, handle: (host: string, req: Request, res: Response) => void): void {
    this.app.get(`/:host${path}`, (req, res) => handle(String(req.params.host ?? ''), req, res));
  }

  /** Platform-styled 404s and body errors; call after every route is mounted. */
  finish(): void {
    for (const { router, errors } of this.routers.values()) {
      router.use((req: Request, res: Response) => errors.notFound(res, req));
      router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
        if (res.headersSent) return;
        const status = (error as { status?: number }).status ?? 500;
        if (status >= 400 && status < 500) errors.badRequest(res, 'The request body could not be parsed.');
        else errors.serverError(res, 500);
      });
    }
  }
}

export function origin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function baseUrl(state: SandboxState, req: Request): string {
  return state.baseUrl(origin(req));
}

/** `"POST api.x.com/2/tweets"`: method, mount host and route pattern. */
export function endpointName(req: Request): string {
  const route = (req.route as { path?: string } | undefined)?.path ?? req.path;
  return `${req.method} ${req.baseUrl.replace(/^\//, '')}${route}`;
}

export function bearer(req: Request): string | undefined {
  const header = req.get('authorization');
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
}

export function basicAuth(req: Request): { id: string; secret: string } | undefined {
  const header = req.get('authorization');
  const match = header ? /^Basic\s+(.+)$/i.exec(header) : null;
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** Body fields (JSON or form) as strings; Express 5 leaves req.body undefined without a body. */
export function field(req: Request, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function queryParam(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** Body field or query parameter (Meta and Google accept both). */
export function param(req: Request, name: string): string | undefined {
  return field(req, name) ?? queryParam(req, name);
}

export function body(req: Request): Record<string, unknown> {
  const value = req.body as unknown;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Applies the account's faults: delay, then rate limit or one of "fail next N".
 * Returns true when it already answered.
 */
export async function applyFaults(
  state: SandboxState,
  platform: PlatformId,
  ids: string[],
  errors: PlatformErrors,
  res: Response,
): Promise<boolean> {
  const delay = state.faults.delayMs(platform, ids);
  if (delay > 0) await sleep(delay);
  const now = state.clock.now();
  const fault = state.faults.take(platform, ids, now);
  if (!fault) return false;
  if (fault.kind === 'rateLimit') errors.rateLimited(res, fault.until, now, ids);
  else errors.serverError(res, fault.status);
  return true;
}

/** Applies the global token-endpoint limit; true when it answered 429. */
export function tokenEndpointLimited(state: SandboxState, platform: PlatformId, errors: PlatformErrors, res: Response): boolean {
  const now = state.clock.now();
  const resetAt = state.tokenLimiter.hit(platform, state.settings.tokenRateLimits[platform], now);
  if (resetAt === undefined) return false;
  errors.rateLimited(res, resetAt, now);
  return true;
}

export interface Authenticated {
  token: TokenRecord;
  grant: Grant;
  identity: SandboxIdentity;
  platform: PlatformId;
  ids: string[];
}

export interface AuthenticateOptions {
  /** Platforms whose tokens this endpoint accepts (Meta graph hosts: facebook and instagram). */
  platforms: PlatformId[];
  errors: (platform: PlatformId) => PlatformErrors;
  /** Token string from the request; default the Bearer header. */
  extract?: (req: Request) => string | undefined;
}

/**
 * Resolves the access token, counts the call, applies faults and checks the token is alive.
 * Returns undefined when it already answered with the platform's error.
 */
export async function authenticate(
  state: SandboxState,
  req: Request,
  res: Response,
  options: AuthenticateOptions,
): Promise<Authenticated | undefined> {
  const endpoint = endpointName(req);
  const fallback = options.platforms[0] as PlatformId;
  const value = (options.extract ?? bearer)(req);
  const token = state.tokens.find(value);
  if (!token || token.kind !== 'access' || !options.platforms.includes(token.platform)) {
    state.counters.call(fallback, [], endpoint);
    options.errors(fallback).unauthorized(res, value ? 'invalid' : 'missing');
    return undefined;
  }
  const errors = options.errors(token.platform);
  const ids = state.relatedIds(token);
  state.counters.call(token.platform, ids, endpoint);
  if (await applyFaults(state, token.platform, ids, errors, res)) return undefined;
  const status = state.tokens.status(token);
  const identity = state.identity(token.platform, token.userId);
  if (status !== 'ok' || !identity) {
    errors.unauthorized(res, status === 'ok' ? 'invalid' : status);
    return undefined;
  }
  return { token, grant: state.tokens.grant(token), identity, platform: token.platform, ids };
}

/** Wraps an async handler so a thrown error becomes the platform's 500, never a stack trace. */
export function handler(
  errors: PlatformErrors,
  fn: (req: Request, res: Response) => Promise<void> | void,
): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    try {
      await fn(req, res);
    } catch {
      if (!res.headersSent) errors.serverError(res, 500);
    }
  };
}

export function idempotencyKey(req: Request): string | undefined {
  return req.get('idempotency-key')?.trim() || undefined;
}

/** A route parameter as a string (Express 5 types allow arrays for wildcards). */
export function pathParam(req: Request, name: string): string {
  const value = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join('/') : (value ?? '');
}
