import { Schema, type Connection } from 'mongoose';
import { ACCOUNT_STATES, type AccountState } from './account.js';
import { statusReasonSchema, type StoredStatusReason } from './reason.js';

// One entry of an account's timeline, written by the activity that caused it. `_id` is
// `<accountId>:<sequence>`: the activity derives the sequence from what it is doing (the status
// sequence, the notification and channel, the activity's own id), so a retried or crashed attempt
// inserts the same `_id` again and the duplicate is ignored. Kept `retention` long, pruned by the
// periodic self-healing sweep (no TTL index: FerretDB 1.24 has none).

export const ACCOUNT_EVENT_KINDS = [
  'connected',
  'reconnected',
  'renewed',
  'renewalFailed',
  'rateLimited',
  'checked',
  'checkFailed',
  'warning',
  'expired',
  'deauthorized',
  'disconnected',
  'recovered',
  'notificationSent',
  'postPublished',
  'postFailed',
  'postWaiting',
  'postsPaused',
  'postsResumed',
  'premiumChecked',
] as const;
export type AccountEventKind = (typeof ACCOUNT_EVENT_KINDS)[number];

export interface AccountEvent {
  /** `<accountId>:<sequence>` */
  _id: string;
  accountId: string;
  sequence: string;
  kind: AccountEventKind;
  at: Date;
  /** The account's lifecycle state from this event on, when the event changed or restated it (draws the state bands). */
  state?: AccountState;
  reason?: StoredStatusReason;
  /** Renewed: the new token end. */
  expiresAt?: Date;
  /** Notifications: the channel, whether it was delivered, and what it was about. */
  channel?: string;
  delivered?: boolean;
  notice?: string;
  postId?: string;
  /** Short facts in the platform's or Tether's words (a failure message, a Premium tier, a post count). */
  detail?: string;
}

const accountEventSchema = new Schema<AccountEvent>(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    sequence: { type: String, required: true },
    kind: { type: String, enum: ACCOUNT_EVENT_KINDS, required: true },
    at: { type: Date, required: true },
    state: { type: String, enum: ACCOUNT_STATES },
    reason: { type: statusReasonSchema },
    expiresAt: Date,
    channel: String,
    delivered: Boolean,
    notice: String,
    postId: String,
    detail: String,
  },
  { collection: 'account_events', versionKey: false },
);
accountEventSchema.index({ accountId: 1, sequence: 1 }, { unique: true });
accountEventSchema.index({ accountId: 1, at: -1 });
// Only the retention sweep queries by time alone.
accountEventSchema.index({ at: 1 });

export const accountEventIdOf = (accountId: string, sequence: string) => `${accountId}:${sequence}`;

export function accountEventModel(connection: Connection) {
  return connection.model<AccountEvent>('AccountEvent', accountEventSchema);
}
