import type { RequestHandler } from 'express';
import session from 'express-session';
import type { Config } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import type { Models } from '../db/models/index.js';
import { deleteExpiredSessions, deleteSession, findLiveSession, saveSession, touchSession } from '../db/sessions.js';

// Sessions in MongoDB (collection `sessions`, db/models/session.ts). Expired sessions are never
// served and are deleted by a periodic sweep (an unref'd timer), not a TTL index: FerretDB has
// none. connect-mongo is not used: its sweep sends unacknowledged deletes, which FerretDB 1.24
// answers out of step, corrupting the next reply on that connection.

export const SESSION_COOKIE = 'tether.sid';
const SESSION_MS = 14 * 24 * 3600 * 1000;
const SWEEP_MS = 10 * 60_000;
/** A page view moves the expiry in the database only when it moves by more than this (one write, not one per request). */
const TOUCH_STEP_MS = 10 * 60_000;
/** Loaded expiries kept for `touch`; beyond this many (requests that never touched), they are dropped. */
const LOADED_LIMIT = 10_000;

declare module 'express-session' {
  interface SessionData {
    /** The pen name the user works in. */
    penNameId?: string;
    /** A one-time message shown on the next page. */
    flash?: { kind: 'info' | 'error'; text: string };
  }
}

type Callback = (error?: unknown) => void;

function expiryOf(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + SESSION_MS);
}

/** Passport keeps the logged-in user's id in the session; stored beside it, every session of a user can be ended. */
function userIdOf(data: session.SessionData): string | undefined {
  const user = (data as { passport?: { user?: unknown } }).passport?.user;
  return typeof user === 'string' ? user : undefined;
}

export class MongoSessionStore extends session.Store {
  private readonly sweeper: NodeJS.Timeout;
  /** The stored expiry of each session loaded by a request still running, for `touch`. */
  private readonly loadedExpiry = new Map<string, number>();

  constructor(
    private readonly models: Pick<Models, 'Session'>,
    options: { sweepMs?: number; logger?: Logger } = {},
  ) {
    super();
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => options.logger?.warn({ err: error }, 'session sweep failed'));
    }, options.sweepMs ?? SWEEP_MS);
    this.sweeper.unref();
  }

  /** Deletes every expired session; answers how many. */
  async sweep(now = new Date()): Promise<number> {
    return deleteExpiredSessions(this.models, now);
  }

  stopSweeping(): void {
    clearInterval(this.sweeper);
  }

  override get(sid: string, callback: (error: unknown, data?: session.SessionData | null) => void): void {
    findLiveSession(this.models, sid, new Date()).then((stored) => {
      if (!stored) return callback(null, null);
      if (this.loadedExpiry.size >= LOADED_LIMIT) this.loadedExpiry.clear();
      this.loadedExpiry.set(sid, stored.expires.getTime());
      callback(null, JSON.parse(stored.data) as session.SessionData);
    }, callback);
  }

  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.loadedExpiry.delete(sid);
    saveSession(this.models, sid, JSON.stringify(data), expiryOf(data), userIdOf(data)).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    const expires = expiryOf(data);
    const stored = this.loadedExpiry.get(sid);
    this.loadedExpiry.delete(sid);
    if (stored !== undefined && expires.getTime() - stored < TOUCH_STEP_MS) {
      callback?.();
      return;
    }
    touchSession(this.models, sid, expires).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.loadedExpiry.delete(sid);
    deleteSession(this.models, sid).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}

export function sessionMiddleware(config: Pick<Config, 'env' | 'web'>, store: session.Store): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: config.web.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax', // lax, not strict: platforms send the user back to the OAuth callback by a cross-site GET
      secure: config.env === 'production',
      maxAge: SESSION_MS,
    },
  });
}

/**
 * express-session writes a response's headers before its store has saved the session, so a browser
 * following a 303 can arrive with the old session and miss the flash just set. Redirects save first,
 * but only a session this request changed or replaced (logging in and out regenerate it): saving an
 * untouched one would store a session for every anonymous visitor bounced to /login.
 */
export function saveSessionBeforeRedirect(): RequestHandler {
  return (req, res, next) => {
    const loaded = req.session;
    const snapshot = loaded ? JSON.stringify(loaded) : undefined;
    const changed = () => req.session !== loaded || JSON.stringify(req.session) !== snapshot;
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (!req.session || !changed()) return redirect(...args);
      req.session.save((error) => (error ? next(error) : redirect(...args)));
    }) as typeof res.redirect;
    next();
  };
}
