import { Schema, type Connection } from 'mongoose';
import type { Credential } from './credential.js';

// Per account (`_id` = account id), a copy of its newest credentials document as their last writer
// stored it: the one point read every use of the tokens makes. The versioned documents in
// `credentials` stay the truth; a head can lag behind them (a writer that died between its
// version insert and its head write) and readers that must not miss a newer version check for it
// (db/credentials.ts). Heads written before the copy existed hold only `version`: they are
// completed on their next read.

export interface CredentialHead extends Partial<Omit<Credential, '_id' | 'version'>> {
  /** The account id. */
  _id: string;
  version: number;
}

const credentialHeadSchema = new Schema<CredentialHead>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
    accountId: String,
    sealed: String,
    accessTokenExpiresAt: Date,
    refreshTokenExpiresAt: Date,
    dataAccessExpiresAt: Date,
    issuedAt: Date,
    scopes: { type: [String], default: undefined },
    updatedAt: Date,
  },
  { collection: 'credential_heads', versionKey: false },
);

export function credentialHeadModel(connection: Connection) {
  return connection.model<CredentialHead>('CredentialHead', credentialHeadSchema);
}
