import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';
import type { EmailPreferences, User } from './models/user.js';

// Reads and single-document writes of users. Emails are stored trimmed and lower-cased.

export const normalEmail = (email: string) => email.trim().toLowerCase();

/**
 * Inserts a user; a taken email throws a duplicate-key error (`isDuplicateKey`). Answers the new id.
 * `emailVerifiedAt: null` registers an address still to be confirmed (see the User model).
 */
export async function createUser(models: Models, input: { email: string; name: string; passwordHash: string; plan: string; emailVerifiedAt?: Date | null }): Promise<string> {
  const created = await models.User.create(input);
  return created._id;
}

export async function findUserByEmail(models: Models, email: string): Promise<User | undefined> {
  return (await models.User.findOne({ email: normalEmail(email) }).lean()) ?? undefined;
}

export async function findUserById(models: Models, userId: string): Promise<User | undefined> {
  return (await models.User.findById(userId).lean()) ?? undefined;
}

/** The fields a logged-in request carries (never the password hash). */
export type SessionUserFields = Pick<User, '_id' | 'email' | 'name' | 'plan' | 'timeZone' | 'emailVerifiedAt'>;

export async function findSessionUser(models: Models, userId: string): Promise<SessionUserFields | undefined> {
  return (await models.User.findById(userId, { email: 1, name: 1, plan: 1, timeZone: 1, emailVerifiedAt: 1 }).lean()) ?? undefined;
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

/** A user's id and plan, found by id or by email. */
export async function findUserPlan(models: Models, who: { userId?: string; email?: string }): Promise<Pick<User, '_id' | 'plan'> | undefined> {
  const filter = who.userId ? { _id: who.userId } : { email: normalEmail(who.email ?? '') };
  return (await models.User.findOne(filter, { plan: 1 }).lean()) ?? undefined;
}

export async function setPlan(models: Models, userId: string, plan: string): Promise<void> {
  await models.User.updateOne({ _id: userId }, { $set: { plan } });
}

/** Remembers the zone the user last composed in; the compose form starts in it. */
export async function setTimeZone(models: Models, userId: string, timeZone: string): Promise<void> {
  await models.User.updateOne({ _id: userId }, { $set: { timeZone } });
}

/** Where and whether to email a user about their accounts (a point read). */
export async function findNotifiedUser(models: Models, userId: string): Promise<Pick<User, '_id' | 'email' | 'emailNotifications' | 'emailVerifiedAt' | 'timeZone'> | undefined> {
  return (await withDatabaseRetry(() => models.User.findById(userId, { email: 1, emailNotifications: 1, emailVerifiedAt: 1, timeZone: 1 }).lean())) ?? undefined;
}

/** The stored email preferences as saved (read them with `emailPreferencesOf`). */
export async function storedEmailPreferences(models: Models, userId: string): Promise<unknown> {
  return (await models.User.findById(userId, { emailNotifications: 1 }).lean())?.emailNotifications;
}

export async function setEmailPreferences(models: Models, userId: string, preferences: EmailPreferences): Promise<void> {
  await models.User.updateOne({ _id: userId }, { $set: { emailNotifications: preferences } });
}
