import { Schema, type Connection } from 'mongoose';
import type { PlatformId } from '../../platforms/types.js';

// Which account an identity (pen name, platform, the platform's user id) was connected as, keyed
// by that identity: connect and reconnect find their account with one point read, where a query
// on the three fields is a full scan on FerretDB. The unique `_id` also decides a race between two
// first connects of one identity. Accounts connected before this collection existed get theirs on
// their next connect (db/accounts.ts).

export interface AccountIdentity {
  /** `identityKeyOf(...)` */
  _id: string;
  accountId: string;
}

const accountIdentitySchema = new Schema<AccountIdentity>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
  },
  { collection: 'account_identities', versionKey: false },
);

export function identityKeyOf(identity: { penNameId: string; platform: PlatformId; externalId: string }): string {
  return `${identity.penNameId}:${identity.platform}:${identity.externalId}`;
}

export function accountIdentityModel(connection: Connection) {
  return connection.model<AccountIdentity>('AccountIdentity', accountIdentitySchema);
}
