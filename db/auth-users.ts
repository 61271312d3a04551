import type { Models } from './models/index.js';
import type { User } from './models/user.js';

// The queries of registration, login, address confirmation and password reset.

export async function findUserByEmail(models: Models, email: string): Promise<User | undefined> {
  return (await models.User.findOne({ email: email.trim().toLowerCase() }).lean()) ?? undefined;
}

export async function findUserById(models: Models, userId: string): Promise<User | undefined> {
  return (await models.User.findById(userId).lean()) ?? undefined;
}

/** Records that the user read mail at their address, unless that was recorded before. */
export async function markEmailConfirmed(models: Models, user: Pick<User, '_id' | 'emailVerifiedAt'>, at: Date): Promise<void> {
  if (user.emailVerifiedAt instanceof Date) return;
  await models.User.updateOne({ _id: user._id }, { $set: { emailVerifiedAt: at } });
}

/** Replaces a password hash only while it is still `previous` (a reset since then wins). */
export async function replacePasswordHash(models: Models, userId: string, previous: string, next: string): Promise<boolean> {
  const result = await models.User.updateOne({ _id: userId, passwordHash: previous }, { $set: { passwordHash: next } });
  return result.modifiedCount === 1;
}

export async function setPasswordHash(models: Models, userId: string, passwordHash: string): Promise<void> {
  await models.User.updateOne({ _id: userId }, { $set: { passwordHash } });
}

/** Logs the user out everywhere: every stored session of theirs is deleted. */
export async function endSessionsOf(models: Models, userId: string): Promise<number> {
  return (await models.Session.deleteMany({ userId })).deletedCount;
}
