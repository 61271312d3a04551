import type { Models } from './models/index.js';
import { withDatabaseRetry } from './retry.js';

// The dashboard's sessions (web/session.ts keeps express-session's Store on top of these). Expired
// sessions are never served and are deleted by a sweep, not a TTL index: FerretDB has none. Every
// per-request read and write is by `_id`.

type Sessions = Pick<Models, 'Session'>;

/** The stored session data (JSON) and expiry of a session that has not expired. */
export async function findLiveSession(models: Sessions, sid: string, now: Date): Promise<{ data: string; expires: Date } | undefined> {
  const stored = await withDatabaseRetry(() => models.Session.findById(sid).lean());
  return stored && stored.expires > now ? { data: stored.data, expires: stored.expires } : undefined;
}

/** `userId`: the logged-in user, kept beside the data so every session of a user can be ended. */
export async function saveSession(models: Sessions, sid: string, data: string, expires: Date, userId?: string): Promise<void> {
  const update = userId ? { $set: { data, expires, userId } } : { $set: { data, expires }, $unset: { userId: '' } };
  await withDatabaseRetry(() => models.Session.updateOne({ _id: sid }, update, { upsert: true }));
}

/** Logs the user out everywhere: every stored session of theirs is deleted. Answers how many. */
export async function endSessionsOf(models: Sessions, userId: string): Promise<number> {
  return (await withDatabaseRetry(() => models.Session.deleteMany({ userId }))).deletedCount;
}

export async function touchSession(models: Sessions, sid: string, expires: Date): Promise<void> {
  await withDatabaseRetry(() => models.Session.updateOne({ _id: sid }, { $set: { expires } }));
}

export async function deleteSession(models: Sessions, sid: string): Promise<void> {
  await withDatabaseRetry(() => models.Session.deleteOne({ _id: sid }));
}

/** Deletes every session expired before `now`; answers how many. */
export async function deleteExpiredSessions(models: Sessions, now: Date): Promise<number> {
  return (await models.Session.deleteMany({ expires: { $lt: now } })).deletedCount;
}
