import { Schema, type Connection } from 'mongoose';

// "Renewing credentials version N of this account": one document per (account, version), taken
// by inserting it (a unique _id, atomic everywhere), so two attempts never both call the platform
// with the same refresh token. `until` lets a later attempt take over from one that died.

export interface CredentialLock {
  /** `<accountId>:<version>` */
  _id: string;
  accountId: string;
  holder: string;
  until: Date;
}

const credentialLockSchema = new Schema<CredentialLock>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'credential_locks', versionKey: false },
);

export function credentialLockModel(connection: Connection) {
  return connection.model<CredentialLock>('CredentialLock', credentialLockSchema);
}
