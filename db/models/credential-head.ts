import { Schema, type Connection } from 'mongoose';

// Per account, the newest credential version its last writer recorded: lets readers find the
// current `credentials` document by `_id` instead of querying on `accountId`. A hint only; the
// versioned documents themselves are the truth (db/credentials.ts).

export interface CredentialHead {
  /** The account id. */
  _id: string;
  version: number;
}

const credentialHeadSchema = new Schema<CredentialHead>(
  {
    _id: { type: String, required: true },
    version: { type: Number, required: true },
  },
  { collection: 'credential_heads', versionKey: false },
);

export function credentialHeadModel(connection: Connection) {
  return connection.model<CredentialHead>('CredentialHead', credentialHeadSchema);
}
