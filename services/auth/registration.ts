import { createUser, findUserByEmail } from '../../db/users.js';
import { isDuplicateKey } from '../../db/duplicate-key.js';
import { linkTo, sendQuietly, type AuthDeps } from './deps.js';
import { alreadyRegisteredEmail, CONFIRM_LINK_HOURS, confirmAddressEmail } from './mail.js';
import { hashPassword } from './passwords.js';

// Registration answers the same whether or not the address has an account: a new address gets a
// link to confirm it (the account cannot log in before), a known one an email saying so. Both
// paths hash the password and send one email, so they also take about as long.

export const CONFIRM_TOKEN_MS = CONFIRM_LINK_HOURS * 3600_000;
export const confirmBinding = (email: string) => `email:${email}`;

export interface Registration {
  name: string;
  email: string;
  password: string;
}

/** Answers the new user's id, or undefined when the address already had an account. */
export async function register(deps: AuthDeps, input: Registration): Promise<string | undefined> {
  const passwordHash = await hashPassword(input.password);
  const { email } = input;
  let userId: string;
  try {
    userId = await createUser(deps.models, { email, name: input.name, passwordHash, plan: deps.config.plans.defaultPlan, emailVerifiedAt: null });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = await findUserByEmail(deps.models, email);
    if (existing) {
      await sendQuietly(deps, 'already-registered', alreadyRegisteredEmail({ from: deps.config.email.from, to: existing.email, loginUrl: linkTo(deps, '/login'), resetUrl: linkTo(deps, '/password/forgot') }));
    }
    return undefined;
  }
  await sendConfirmationLink(deps, { userId, email, name: input.name });
  return userId;
}

export async function sendConfirmationLink(deps: AuthDeps, user: { userId: string; email: string; name: string }): Promise<void> {
  const token = await deps.tokens.issue('verify-email', user.userId, confirmBinding(user.email), CONFIRM_TOKEN_MS);
  const url = linkTo(deps, `/verify-email?token=${encodeURIComponent(token)}`);
  await sendQuietly(deps, 'confirm-address', confirmAddressEmail({ from: deps.config.email.from, to: user.email, name: user.name, url }));
}
