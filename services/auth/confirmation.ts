import { findUserByEmail, findUserById, markEmailConfirmed } from '../../db/users.js';
import { emailConfirmed } from '../../db/models/user.js';
import type { AuthDeps } from './deps.js';
import { confirmBinding, sendConfirmationLink } from './registration.js';
import type { TokenCheck } from './tokens.js';

/** Follows a confirmation link: the address it was sent to is confirmed (if it is still the user's). */
export async function confirmAddress(deps: AuthDeps, token: unknown): Promise<TokenCheck & { email?: string }> {
  const binding = async (userId: string) => {
    const user = await findUserById(deps.models, userId);
    return user ? confirmBinding(user.email) : undefined;
  };
  const redeemed = await deps.tokens.redeem('verify-email', token, binding);
  if (!redeemed.ok) return redeemed;
  const user = await findUserById(deps.models, redeemed.userId);
  if (!user) return { ok: false, problem: 'invalid' };
  await markEmailConfirmed(deps.models, user, new Date((deps.now ?? Date.now)()));
  return { ...redeemed, email: user.email };
}

/** A new confirmation link for an address that has an account still unconfirmed; nothing otherwise (the caller answers the same). */
export async function resendConfirmation(deps: AuthDeps, email: string): Promise<void> {
  const user = await findUserByEmail(deps.models, email);
  if (!user || emailConfirmed(user)) return;
  await sendConfirmationLink(deps, { userId: user._id, email: user.email, name: user.name });
}
