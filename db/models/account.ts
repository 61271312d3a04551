import { Schema, type Connection } from 'mongoose';
import { PLATFORM_IDS, type PlatformId, type PremiumStatus } from '../../platforms/types.js';
import { statusReasonSchema, type StoredStatusReason } from './reason.js';

// A connected social account: its identity on the platform (written on connect) and the status
// projection its workflow records (read by pages). Tokens live in the credentials collection.

export const ACCOUNT_STATES = ['active', 'expiring', 'expired', 'disconnected'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

export interface AccountStatus {
  state: AccountState;
  reason?: StoredStatusReason;
  /** The access token's expiry (it may sit expired between uses). */
  tokenExpiresAt?: Date;
  /** Until when Tether can act for the user if nothing succeeds from now on; absent: no end. */
  grantExpiresAt?: Date;
  warningDeadline?: Date;
  /** A next-action code (`renew`, `warn`, ...; words on documents written before they were codes). */
  nextAction?: string;
  nextActionAt?: Date;
  /** The last time the platform accepted the grant (renewal, check or connect), and the next health check. */
  lastCheckedAt?: Date;
  nextCheckAt?: Date;
  lastRenewedAt?: Date;
  queuePaused: boolean;
  /** Monotonic per account: a write with a lower sequence never replaces a higher one. */
  sequence: number;
  updatedAt: Date;
}

export interface AccountPremium extends PremiumStatus {
  checkedAt: Date;
}

export interface Account {
  _id: string;
  ownerId: string;
  penNameId: string;
  platform: PlatformId;
  externalId: string;
  handle: string;
  displayName: string;
  avatarUrl?: string;
  /** Platform routing facts from the adapter (Bluesky `pdsUrl`, LinkedIn `authorUrn`, Meta `userId`...). */
  meta: Record<string, string>;
  premium?: AccountPremium;
  /** The latest connect or reconnect. */
  connectedAt: Date;
  disconnectedAt?: Date;
  status?: AccountStatus;
}

const statusSchema = new Schema<AccountStatus>(
  {
    state: { type: String, enum: ACCOUNT_STATES, required: true },
    reason: { type: statusReasonSchema },
    tokenExpiresAt: Date,
    grantExpiresAt: Date,
    warningDeadline: Date,
    nextAction: String,
    nextActionAt: Date,
    lastCheckedAt: Date,
    nextCheckAt: Date,
    lastRenewedAt: Date,
    queuePaused: { type: Boolean, required: true },
    sequence: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const premiumSchema = new Schema<AccountPremium>(
  {
    subscriptionType: { type: String, enum: ['None', 'Basic', 'Premium', 'PremiumPlus'], required: true },
    verifiedType: String,
    checkedAt: { type: Date, required: true },
  },
  { _id: false },
);

const accountSchema = new Schema<Account>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true, index: true },
    penNameId: { type: String, required: true },
    platform: { type: String, enum: PLATFORM_IDS, required: true },
    externalId: { type: String, required: true },
    handle: { type: String, required: true },
    displayName: { type: String, required: true },
    avatarUrl: String,
    meta: { type: Schema.Types.Mixed, default: () => ({}) },
    premium: { type: premiumSchema },
    connectedAt: { type: Date, required: true },
    disconnectedAt: Date,
    status: { type: statusSchema },
  },
  { collection: 'accounts', versionKey: false },
);
// Connecting an already-connected account reconnects the same account.
accountSchema.index({ penNameId: 1, platform: 1, externalId: 1 }, { unique: true });

export function accountModel(connection: Connection) {
  return connection.model<Account>('Account', accountSchema);
}
