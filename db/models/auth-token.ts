import { Schema, type Connection } from 'mongoose';

// Links Tether emails for confirming an address or resetting a password. Only a hash of each token
// is stored. A token is redeemed by inserting its use (a unique `_id`), which exactly one of any
// number of concurrent redemptions wins, on MongoDB and on FerretDB alike (FerretDB's conditional
// updates are not atomic under concurrency). Expired documents are deleted when new tokens are
// issued: FerretDB has no TTL indexes.

export const AUTH_TOKEN_PURPOSES = ['verify-email', 'reset-password'] as const;
export type AuthTokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

export interface AuthToken {
  /** SHA-256 of the token, base64url. */
  _id: string;
  userId: string;
  purpose: AuthTokenPurpose;
  expiresAt: Date;
  createdAt: Date;
}

export interface AuthTokenUse {
  /** The token's `_id`: a second use is a duplicate key. */
  _id: string;
  usedAt: Date;
  /** Kept until the token could no longer be presented anyway. */
  expiresAt: Date;
}

const authTokenSchema = new Schema<AuthToken>(
  {
    _id: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    purpose: { type: String, enum: AUTH_TOKEN_PURPOSES, required: true },
    expiresAt: { type: Date, required: true, index: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'auth_tokens', versionKey: false },
);

const authTokenUseSchema = new Schema<AuthTokenUse>(
  {
    _id: { type: String, required: true },
    usedAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'auth_token_uses', versionKey: false },
);

export function authTokenModel(connection: Connection) {
  return connection.model<AuthToken>('AuthToken', authTokenSchema);
}

export function authTokenUseModel(connection: Connection) {
  return connection.model<AuthTokenUse>('AuthTokenUse', authTokenUseSchema);
}
