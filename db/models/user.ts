import { randomUUID } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { NOTIFICATION_KINDS, type NotificationKind } from './notification.js';

// A Tether user. Minimal for now; the dashboard extends it.

/** Which notification kinds the user also wants by email (the in-app notice is always created). */
export type EmailPreferences = Record<NotificationKind, boolean>;

/**
 * Problems are emailed by default. So is "working again", which calls off an expiry warning the
 * user was emailed; a reconnection is the user's own action, so it is not.
 */
export const DEFAULT_EMAIL_PREFERENCES: Readonly<EmailPreferences> = {
  expiring: true,
  expired: true,
  disconnected: true,
  recovered: true,
  reconnected: false,
};

export interface User {
  _id: string;
  email: string;
  name: string;
  passwordHash?: string;
  /**
   * When the user proved they read mail at `email`. `null`: registered and not confirmed yet (cannot
   * log in). Absent: an account from before addresses were confirmed (logs in; gets no email until
   * confirmed). Notification email goes only to confirmed addresses.
   */
  emailVerifiedAt?: Date | null;
  plan: string;
  emailNotifications: EmailPreferences;
  /** IANA zone of the user's last scheduled post; the compose form starts in it. */
  timeZone?: string;
  createdAt: Date;
}

/**
 * The preferences as stored, read leniently: kinds never chosen take their default, and the
 * earlier single switch (a boolean) means all kinds on (its defaults) or all off.
 */
export function emailPreferencesOf(stored: unknown): EmailPreferences {
  if (stored === false) return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, false])) as EmailPreferences;
  const chosen = typeof stored === 'object' && stored !== null ? (stored as Partial<Record<string, unknown>>) : {};
  const preferences = { ...DEFAULT_EMAIL_PREFERENCES };
  for (const kind of NOTIFICATION_KINDS) {
    const value = chosen[kind];
    if (typeof value === 'boolean') preferences[kind] = value;
  }
  return preferences;
}

const emailPreferencesDefinition = Object.fromEntries(
  NOTIFICATION_KINDS.map((kind) => [kind, { type: Boolean, required: true, default: DEFAULT_EMAIL_PREFERENCES[kind] }]),
);

const userSchema = new Schema<User>(
  {
    _id: { type: String, default: () => randomUUID() },
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true },
    passwordHash: { type: String },
    emailVerifiedAt: { type: Date, default: undefined },
    plan: { type: String, required: true },
    emailNotifications: emailPreferencesDefinition,
    timeZone: String,
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'users', versionKey: false },
);

/** Whether email may be sent to the user's address (see `emailVerifiedAt`). */
export const emailConfirmed = (user: Pick<User, 'emailVerifiedAt'>): boolean => user.emailVerifiedAt instanceof Date;

export function userModel(connection: Connection) {
  return connection.model<User>('User', userSchema);
}
