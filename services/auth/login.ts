import { findUserByEmail, replacePasswordHash } from '../../db/users.js';
import type { Models } from '../../db/models/index.js';
import type { User } from '../../db/models/user.js';
import { hashPassword, needsRehash, verifyAgainstDecoy, verifyPassword } from './passwords.js';

/**
 * The user for an email and password, or undefined: for an unknown email, a wrong password, and an
 * address not confirmed yet alike (equally slow, the same answer), so logging in tells nobody which
 * addresses have accounts. A hash cheaper than today's parameters is replaced on the way.
 */
export async function checkCredentials(models: Models, email: string, password: string): Promise<User | undefined> {
  const user = await findUserByEmail(models, email);
  if (!user?.passwordHash) {
    await verifyAgainstDecoy(password);
    return undefined;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return undefined;
  if (user.emailVerifiedAt === null) return undefined;
  if (needsRehash(user.passwordHash)) {
    const rehashed = await hashPassword(password);
    if (await replacePasswordHash(models, user._id, user.passwordHash, rehashed)) return { ...user, passwordHash: rehashed };
  }
  return user;
}
