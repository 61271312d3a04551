import type { Models } from './models/index.js';

// The dashboard's sessions (web/session.ts keeps express-session's Store on top of these). Expired
// sessions are never served and are deleted by a sweep, not a TTL index: FerretDB has none.

type Sessions = Pick<Models, 'Session'>;

/** The stored session data (JSON) of a session that has not expired. */
export async function findLiveSession(models: Sessions, sid: string, now: Date): Promise<string | undefined> {
  return (await models.Session.findOne({ _id: sid, expires: { $gt: now } }).lean())?.data;
}

/** `userId`: the logged-in user, kept beside the data so every session of a user can be ended. */
export async function saveSession(models: Sessions, sid: string, data: string, expires: Date, userId?: string): Promise<void> {
  const update = userId ? { $set: { data, expires, userId } } : { $set: { data, expires }, $unset: { userId: '' } };
  await models.Session.updateOne({ _id: sid }, update, { upsert: true });
}

/** Logs the user out everywhere: every stored session of theirs is deleted. Answers how many. */
export async function endSessionsOf(models: Sessions, userId: string): Promise<number> {
  return (await models.Session.deleteMany({ userId })).deletedCount;
}

export async function touchSession(models: Sessions, sid: string, expires: Date): Promise<void> {
  await models.Session.updateOne({ _id: sid }, { $set: { expires } });
}

export async function deleteSession(models: Sessions, sid: string): Promise<void> {
  await models.Session.deleteOne({ _id: sid });
}

/** Deletes every session expired before `now`; answers how many. */
export async function deleteExpiredSessions(models: Sessions, now: Date): Promise<number> {
  return (await models.Session.deleteMany({ expires: { $lt: now } })).deletedCount;
}
