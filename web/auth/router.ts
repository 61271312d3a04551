import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from '../../config/index.js';
import type { Models } from '../../db/models/index.js';
import { createPenName } from '../../db/pen-names.js';
import { createUser } from '../../db/users.js';
import { fieldErrors, flash, renderInvalid, renderPage, safeLocalPath } from '../respond.js';
import { loginRateLimits, type LoginLimits } from '../security.js';
import type { Authenticator } from './passport.js';
import { hashPassword } from './passwords.js';
import { AUTH_LABELS, loginBody, nextQuery, registerBody } from './schemas.js';
import { isDuplicateKey } from '../../db/duplicate-key.js';

// Register, log in, log out. Logging in (and registering) regenerates the session, so a session
// id planted before login is worthless after it.

const AFTER_LOGIN = '/connections';

export interface AuthDeps {
  config: Config;
  models: Models;
  authenticator: Authenticator;
  loginLimits: LoginLimits;
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

const redirectIfLoggedIn: RequestHandler = (req, res, next) => {
  if (req.user) res.redirect(303, AFTER_LOGIN);
  else next();
};

export function authRouter(deps: AuthDeps): Router {
  const router = Router();

  router.get('/login', redirectIfLoggedIn, async (req, res) => {
    const query = nextQuery.safeParse(req.query);
    if (!query.success) return renderInvalid(res, 'auth/login', { errors: fieldErrors(query.error, AUTH_LABELS), locals: { title: 'Log in' } });
    await renderPage(res, 'auth/login', { title: 'Log in', values: { next: safeLocalPath(query.data.next, '') } });
  });

  const limited: RequestHandler = (_req, res) =>
    renderPage(res, 'auth/login', { title: 'Log in', errors: { form: 'Too many failed attempts. Wait 15 minutes, then try again.' } }, 429);

  router.post('/login', ...loginRateLimits(deps.loginLimits, deps.models, limited), async (req, res) => {
    const body = loginBody.safeParse(req.body ?? {});
    const values = { email: typeof req.body?.email === 'string' ? req.body.email : '', next: safeLocalPath(req.body?.next, '') };
    if (!body.success) return renderInvalid(res, 'auth/login', { errors: fieldErrors(body.error, AUTH_LABELS), values, locals: { title: 'Log in' } });

    const user = await authenticateLocal(deps.authenticator, req, res);
    if (!user) {
      return renderInvalid(res, 'auth/login', { status: 401, errors: { form: 'Email or password is incorrect.' }, values, locals: { title: 'Log in' } });
    }
    await logIn(req, user);
    res.redirect(303, safeLocalPath(body.data.next, AFTER_LOGIN));
  });

  router.get('/register', redirectIfLoggedIn, async (_req, res) => {
    await renderPage(res, 'auth/register', { title: 'Create an account' });
  });

  router.post('/register', redirectIfLoggedIn, async (req, res) => {
    const body = registerBody.safeParse(req.body ?? {});
    // Shown again in the form: only what a form can post (a JSON body may carry objects that cannot be printed).
    const typed = (value: unknown) => (typeof value === 'string' ? value : '');
    const values = { name: typed(req.body?.name), email: typed(req.body?.email), penName: typed(req.body?.penName) };
    const locals = { title: 'Create an account' };
    if (!body.success) return renderInvalid(res, 'auth/register', { errors: fieldErrors(body.error, AUTH_LABELS), values, locals });

    const { name, email, password } = body.data;
    let userId: string;
    try {
      userId = await createUser(deps.models, { email, name, passwordHash: await hashPassword(password), plan: deps.config.plans.defaultPlan });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return renderInvalid(res, 'auth/register', { errors: { email: 'Email: an account with this address already exists; log in instead.' }, values, locals });
    }
    const penName = await createPenName(deps.models, userId, body.data.penName || name);
    await logIn(req, { id: userId, email, name, plan: deps.config.plans.defaultPlan });
    req.session.penNameId = penName.ok ? penName.penName._id : undefined;
    flash(req, 'info', `Welcome to Tether, ${name}.`);
    res.redirect(303, AFTER_LOGIN);
  });

  router.post('/logout', async (req, res) => {
    await new Promise<void>((resolve, reject) => req.logout((error?: unknown) => (error ? reject(error) : resolve())));
    flash(req, 'info', 'You are logged out.');
    res.redirect(303, '/login');
  });

  return router;
}
