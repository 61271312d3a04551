import { Router, type RequestHandler } from 'express';
import type { Models } from '../../db/models/index.js';
import { confirmAddress, resendConfirmation } from '../../services/auth/confirmation.js';
import type { AuthDeps } from '../../services/auth/deps.js';
import { checkResetLink, requestPasswordReset, resetPassword } from '../../services/auth/password-reset.js';
import type { TokenCheck } from '../../services/auth/tokens.js';
import { fieldErrors, flash, renderInvalid, renderPage } from '../respond.js';
import { emailFormRateLimits, type EmailLimits } from './limits.js';
import { AUTH_LABELS, emailBody, resetBody, tokenQuery, typed } from './schemas.js';

// The pages behind the links Tether emails: confirming an address (and asking for a new link),
// and resetting a password. Requests for a link answer the same whether or not the address has an
// account, and are rate-limited per client address and per email.

export interface EmailLinksDeps {
  models: Models;
  emailLimits: EmailLimits;
  auth: AuthDeps;
}

const PROBLEMS: Record<Extract<TokenCheck, { ok: false }>['problem'], string> = {
  invalid: 'This link is not valid (it may have been cut short, or replaced by a newer one).',
  expired: 'This link has expired.',
  used: 'This link was already used.',
};

function renderLinkProblem(res: Parameters<RequestHandler>[1], check: Extract<TokenCheck, { ok: false }>, retry: { href: string; label: string }) {
  return renderPage(res, 'auth/link-problem', { title: 'Link not usable', message: PROBLEMS[check.problem], retry }, 400);
}

/** Logged in, the form is about the user's own address (the limits count it under that address too). */
const ownAddress: RequestHandler = (req, _res, next) => {
  if (req.user) req.body = { ...(typeof req.body === 'object' && req.body ? req.body : {}), email: req.user.email };
  next();
};

export function emailLinksRouter(deps: EmailLinksDeps): Router {
  const router = Router();
  /**
   * Whether a link is sent depends on whether the address has an account, so that work (a token,
   * an SMTP exchange) runs after the answer: the answer, and how long it takes, is the same.
   */
  const afterAnswering = (work: () => Promise<void>) => {
    setImmediate(() => void work().catch((error: unknown) => deps.auth.logger.error({ err: error }, 'an emailed link could not be prepared')));
  };
  const limited =
    (view: string, title: string): RequestHandler =>
    (_req, res) =>
      renderPage(res, view, { title, errors: { form: 'Too many requests for this. Wait an hour, then try again.' } }, 429);

  // Confirming an address.
  const resendRetry = { href: '/verify-email/resend', label: 'Get a new confirmation link' };
  router.get('/verify-email', async (req, res) => {
    const query = tokenQuery.safeParse(req.query);
    if (!query.success) return renderInvalid(res, 'auth/link-problem', { errors: fieldErrors(query.error, AUTH_LABELS), locals: { title: 'Link not usable', retry: resendRetry } });
    const confirmed = await confirmAddress(deps.auth, query.data.token);
    if (!confirmed.ok) return renderLinkProblem(res, confirmed, resendRetry);
    flash(req, 'info', `Your address ${confirmed.email} is confirmed.${req.user ? '' : ' Log in to start.'}`);
    res.redirect(303, req.user ? '/connections' : '/login');
  });

  router.get('/verify-email/resend', async (_req, res) => {
    await renderPage(res, 'auth/resend', { title: 'Confirm your address' });
  });

  router.post('/verify-email/resend', ownAddress, ...emailFormRateLimits('confirm-again', deps.emailLimits, deps.models, limited('auth/resend', 'Confirm your address')), async (req, res) => {
    const body = emailBody.safeParse(req.body ?? {});
    if (!body.success) return renderInvalid(res, 'auth/resend', { errors: fieldErrors(body.error, AUTH_LABELS), values: { email: typed(req.body?.email) }, locals: { title: 'Confirm your address' } });
    afterAnswering(() => resendConfirmation(deps.auth, body.data.email));
    flash(req, 'info', `If ${body.data.email} has an account waiting for confirmation, we sent it a new link.`);
    res.redirect(303, req.user ? '/connections' : '/login');
  });

  // Resetting a password.
  const forgotRetry = { href: '/password/forgot', label: 'Ask for a new link' };
  router.get('/password/forgot', async (_req, res) => {
    await renderPage(res, 'auth/forgot', { title: 'Reset your password' });
  });

  router.post('/password/forgot', ...emailFormRateLimits('password-reset', deps.emailLimits, deps.models, limited('auth/forgot', 'Reset your password')), async (req, res) => {
    const body = emailBody.safeParse(req.body ?? {});
    if (!body.success) return renderInvalid(res, 'auth/forgot', { errors: fieldErrors(body.error, AUTH_LABELS), values: { email: typed(req.body?.email) }, locals: { title: 'Reset your password' } });
    afterAnswering(() => requestPasswordReset(deps.auth, body.data.email));
    flash(req, 'info', `If ${body.data.email} has an account, we sent it a link to choose a new password. The link works for an hour.`);
    res.redirect(303, '/login');
  });

  router.get('/password/reset', async (req, res) => {
    const query = tokenQuery.safeParse(req.query);
    if (!query.success) return renderInvalid(res, 'auth/link-problem', { errors: fieldErrors(query.error, AUTH_LABELS), locals: { title: 'Link not usable', retry: forgotRetry } });
    const check = await checkResetLink(deps.auth, query.data.token);
    if (!check.ok) return renderLinkProblem(res, check, forgotRetry);
    await renderPage(res, 'auth/reset', { title: 'Choose a new password', values: { token: query.data.token } });
  });

  router.post('/password/reset', async (req, res) => {
    const body = resetBody.safeParse(req.body ?? {});
    if (!body.success) {
      return renderInvalid(res, 'auth/reset', { errors: fieldErrors(body.error, AUTH_LABELS), values: { token: typed(req.body?.token) }, locals: { title: 'Choose a new password' } });
    }
    const reset = await resetPassword(deps.auth, body.data.token, body.data.password);
    if (!reset.ok) return renderLinkProblem(res, reset, forgotRetry);
    // This browser's own session ended with the others; it starts again logged out.
    await new Promise<void>((resolve, reject) => req.session.regenerate((error?: unknown) => (error ? reject(error) : resolve())));
    flash(req, 'info', 'Your password is changed, and every session of your account was logged out. Log in with the new password.');
    res.redirect(303, '/login');
  });

  return router;
}
