import { endSessionsOf } from '../../db/sessions.js';
import { findUserByEmail, findUserById, markEmailConfirmed, setPasswordHash } from '../../db/users.js';
import { linkTo, sendQuietly, type AuthDeps } from './deps.js';
import { RESET_LINK_HOURS, resetPasswordEmail } from './mail.js';
import { hashPassword } from './passwords.js';
import type { CurrentBinding, TokenCheck } from './tokens.js';

// Password reset by email. A link is bound to the password it may replace, so once the password
// changed (by this link or any other way) every earlier link stops working.

export const RESET_TOKEN_MS = RESET_LINK_HOURS * 3600_000;

const passwordBinding =
  (deps: AuthDeps): CurrentBinding =>
  async (userId) => {
    const user = await findUserById(deps.models, userId);
    return user ? `password:${user.passwordHash ?? ''}` : undefined;
  };

/** Emails a reset link when the address has an account; nothing otherwise (the caller answers the same). */
export async function requestPasswordReset(deps: AuthDeps, email: string): Promise<void> {
  const user = await findUserByEmail(deps.models, email);
  if (!user) return;
  const token = await deps.tokens.issue('reset-password', user._id, `password:${user.passwordHash ?? ''}`, RESET_TOKEN_MS);
  const url = linkTo(deps, `/password/reset?token=${encodeURIComponent(token)}`);
  await sendQuietly(deps, 'reset-password', resetPasswordEmail({ from: deps.config.email.from, to: user.email, url }));
}

/** Whether a reset link can still be used (its page shows the form), without using it. */
export function checkResetLink(deps: AuthDeps, token: unknown): Promise<TokenCheck> {
  return deps.tokens.check('reset-password', token, passwordBinding(deps));
}

/**
 * Uses the link: the new password replaces the old, the address counts as confirmed (the link
 * proved it), every other reset link stops working and every session of the user ends.
 */
export async function resetPassword(deps: AuthDeps, token: unknown, password: string): Promise<TokenCheck> {
  // Hashed before the link is used up, so a slow hash never leaves a used link with the old password.
  const passwordHash = await hashPassword(password);
  const redeemed = await deps.tokens.redeem('reset-password', token, passwordBinding(deps));
  if (!redeemed.ok) return redeemed;
  const user = await findUserById(deps.models, redeemed.userId);
  if (!user) return { ok: false, problem: 'invalid' };
  await setPasswordHash(deps.models, user._id, passwordHash);
  await markEmailConfirmed(deps.models, user, new Date((deps.now ?? Date.now)()));
  await deps.tokens.revokeAll('reset-password', user._id);
  const ended = await endSessionsOf(deps.models, user._id);
  deps.logger.info({ userId: user._id, sessionsEnded: ended }, 'password reset');
  return redeemed;
}
