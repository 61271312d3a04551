import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config/index.js';
import type { Models } from '../../db/models/index.js';
import type { AuthDeps } from '../../services/auth/deps.js';
import { register } from '../../services/auth/registration.js';
import { createPenName } from '../../db/pen-names.js';
import { fieldErrors, flash, renderInvalid, renderPage, safeLocalPath } from '../respond.js';
import { emailFormRateLimits, loginRateLimits, type EmailLimits, type LoginLimits } from './limits.js';
import type { Authenticator } from './passport.js';
import { AUTH_LABELS, loginBody, nextQuery, registerBody, typed } from './schemas.js';

// Register, log in, log out. Logging in regenerates the session, so a session id planted before
// login is worthless after it. Registration answers the same whether or not the address has an
// account; the account logs in once its address is confirmed (auth/email-links-router.ts).

const AFTER_LOGIN = '/connections';

export interface AuthRouterDeps {
  config: Config;
  models: Models;
  authenticator: Authenticator;
  loginLimits: LoginLimits;
  emailLimits: EmailLimits;
  auth: AuthDeps;
}

function logIn(req: Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) => req.logIn(user, (error?: unknown) => (error ? reject(error) : resolve())));
}

function authenticateLocal(authenticator: Authenticator, req: Request, res: Response): Promise<Express.User | undefined> {
  return new Promise((resolve, reject) => {
    const run = authenticator.authenticate('local', { session: false }, (error: unknown, user: Express.User | false) => {
      if (error) reject(error);
      else resolve(user || undefined);
    }) as RequestHandler;
    run(req, res, (error?: unknown) => reject(error));
  });
}

export const redirectIfLoggedIn: RequestHandler = (req, res, next) => {
  if (req.user) res.redirect(303, AFTER_LOGIN);
  else next();
};

export function authRouter(deps: AuthRouterDeps): Router {
  const router = Router();

  router.get('/login', redirectIfLoggedIn, async (req, res) => {
    const query = nextQuery.safeParse(req.query);
    if (!query.success) return renderInvalid(res, 'auth/login', { errors: fieldErrors(query.error, AUTH_LABELS), locals: { title: 'Log in' } });
    await renderPage(res, 'auth/login', { title: 'Log in', values: { next: safeLocalPath(query.data.next, '') } });
  });

  const loginLimited: RequestHandler = (_req, res) =>
    renderPage(res, 'auth/login', { title: 'Log in', errors: { form: 'Too many failed attempts. Wait 15 minutes, then try again.' } }, 429);

  router.post('/login', ...loginRateLimits(deps.loginLimits, deps.models, loginLimited), async (req, res) => {
    const body = loginBody.safeParse(req.body ?? {});
    const values = { email: typed(req.body?.email), next: safeLocalPath(req.body?.next, '') };
    if (!body.success) return renderInvalid(res, 'auth/login', { errors: fieldErrors(body.error, AUTH_LABELS), values, locals: { title: 'Log in' } });

    const user = await authenticateLocal(deps.authenticator, req, res);
    if (!user) {
      // The same words for a wrong password, an unknown address and an address not confirmed yet.
      return renderInvalid(res, 'auth/login', { status: 401, errors: { form: 'Email or password is incorrect.' }, values, locals: { title: 'Log in' } });
    }
    await logIn(req, user);
    res.redirect(303, safeLocalPath(body.data.next, AFTER_LOGIN));
  });

  router.get('/register', redirectIfLoggedIn, async (_req, res) => {
    await renderPage(res, 'auth/register', { title: 'Create an account' });
  });

  const registerLimited: RequestHandler = (_req, res) =>
    renderPage(res, 'auth/register', { title: 'Create an account', errors: { form: 'Too many sign-ups from here. Wait an hour, then try again.' } }, 429);

  router.post('/register', redirectIfLoggedIn, ...emailFormRateLimits('register', deps.emailLimits, deps.models, registerLimited), async (req, res) => {
    const body = registerBody.safeParse(req.body ?? {});
    const values = { name: typed(req.body?.name), email: typed(req.body?.email), penName: typed(req.body?.penName) };
    const locals = { title: 'Create an account' };
    if (!body.success) return renderInvalid(res, 'auth/register', { errors: fieldErrors(body.error, AUTH_LABELS), values, locals });

    const { name, email, password } = body.data;
    const userId = await register(deps.auth, { name, email, password });
    if (userId) await createPenName(deps.models, userId, body.data.penName || name);
    // The same answer for a new address and a known one: each got an email saying what to do.
    flash(req, 'info', `We sent an email to ${email}. Open the link in it to confirm your address, then log in here.`);
    res.redirect(303, '/login');
  });

  router.post('/logout', async (req, res) => {
    await new Promise<void>((resolve, reject) => req.logout((error?: unknown) => (error ? reject(error) : resolve())));
    flash(req, 'info', 'You are logged out.');
    res.redirect(303, '/login');
  });

  return router;
}
