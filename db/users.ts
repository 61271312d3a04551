import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';
import type { EmailPreferences, User } from './models/user.js';

// Reads and single-document writes of users. Emails are stored trimmed and lower-cased.

export const normalEmail = (email: string) => email.trim().toLowerCase();

/** Inserts a user; a taken email throws a duplicate-key error (`isDuplicateKey`). Answers the new id. */
export async function createUser(models: Models, input: { email: string; name: string; passwordHash: string; plan: string }): Promise<string> {
  const created = await models.User.create(input);
  return created._id;
}

export async function findUserByEmail(models: Models, email: string): Promise<User | undefined> {
  return (await models.User.findOne({ email: normalEmail(email) }).lean()) ?? undefined;
}

/** The fields a logged-in request carries (never the password hash). */
export type SessionUserFields = Pick<User, '_id' | 'email' | 'name' | 'plan' | 'timeZone'>;

export async function findSessionUser(models: Models, userId: string): Promise<SessionUserFields | undefined> {
  return (await models.User.findById(userId, { email: 1, name: 1, plan: 1, timeZone: 1 }).lean()) ?? undefined;
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
export async function findNotifiedUser(models: Models, userId: string): Promise<Pick<User, '_id' | 'email' | 'emailNotifications'> | undefined> {
  return (await withDatabaseRetry(() => models.User.findById(userId, { email: 1, emailNotifications: 1 }).lean())) ?? undefined;
}

/** The stored email preferences as saved (read them with `emailPreferencesOf`). */
export async function storedEmailPreferences(models: Models, userId: string): Promise<unknown> {
  return (await models.User.findById(userId, { emailNotifications: 1 }).lean())?.emailNotifications;
}

export async function setEmailPreferences(models: Models, userId: string, preferences: EmailPreferences): Promise<void> {
  await models.User.updateOne({ _id: userId }, { $set: { emailNotifications: preferences } });
}
