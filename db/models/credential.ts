import { Schema, type Connection } from 'mongoose';

// An account's tokens, sealed with AES-256-GCM (db/crypto.ts). Only db/credentials.ts reads or
// writes this collection. Expiry times stay in clear so the lifecycle can plan without decrypting.
//
// Each write inserts the next version as a new document whose `_id` is `<accountId>:<version>`,
// then removes the one before. The unique `_id` makes "write version N+1 only if nobody else did"
// atomic on MongoDB and on FerretDB, whose conditional updates are not atomic under concurrency.
// Reads go by `_id` too: FerretDB 1.24 on SQLite scans the whole collection for any other filter.

export interface Credential {
  /** `<accountId>:<version>` */
  _id: string;
  accountId: string;
  /** Increases on every write of the tokens (connect, reconnect, renewal). */
  version: number;
  /** `v2.<key id>.<iv>.<tag>.<data>` of JSON `{accessToken, refreshToken?}`, bound to the account id. */
  sealed: string;
  /** The key that sealed it (config/token-keys.ts); absent on documents sealed before keys rotated. */
  keyId?: string;
  accessTokenExpiresAt?: Date;
  refreshTokenExpiresAt?: Date;
  dataAccessExpiresAt?: Date;
  issuedAt: Date;
  scopes?: string[];
  updatedAt: Date;
}

const credentialSchema = new Schema<Credential>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    version: { type: Number, required: true },
    sealed: { type: String, required: true },
    keyId: String,
    accessTokenExpiresAt: Date,
    refreshTokenExpiresAt: Date,
    dataAccessExpiresAt: Date,
    issuedAt: { type: Date, required: true },
    scopes: { type: [String], default: undefined },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'credentials', versionKey: false },
);
credentialSchema.index({ accountId: 1, version: 1 }, { unique: true });

export function credentialModel(connection: Connection) {
  return connection.model<Credential>('Credential', credentialSchema);
}
