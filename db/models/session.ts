import { Schema, type Connection } from 'mongoose';

// A dashboard login session (express-session). Expired ones are deleted by the web process's
// periodic sweep (web/session.ts), not a TTL index, which FerretDB lacks.

export interface StoredSession {
  /** The session id (the cookie carries it, signed). */
  _id: string;
  /** The express-session data as JSON (keeps keys with dots or `$` out of field names). */
  data: string;
  /** The logged-in user, so a password reset can end every session of that user. */
  userId?: string;
  expires: Date;
}

const sessionSchema = new Schema<StoredSession>(
  {
    _id: { type: String, required: true },
    data: { type: String, required: true },
    userId: { type: String, index: true },
    expires: { type: Date, required: true, index: true },
  },
  { collection: 'sessions', versionKey: false },
);

export function sessionModel(connection: Connection) {
  return connection.model<StoredSession>('Session', sessionSchema);
}
