import { Schema, type Connection } from 'mongoose';
import type { PlatformId } from '../../platforms/types.js';
import { identityKeyOf } from './account-identity.js';

// One of a user's connected-account slots. A plan with limit N has slots 0..N-1; connecting an
// account inserts the lowest free slot, and the unique `_id` (`<ownerId>:<slot>`) makes two
// simultaneous connects unable to take the same one. Inserts checked by a unique index are atomic
// on MongoDB and on FerretDB (whose conditional updates are not), so this is how the plan limit
// holds under concurrency. The unique (ownerId, holder) index makes a claim idempotent per account.

export interface PlanSlot {
  /** `<ownerId>:<slot>` */
  _id: string;
  ownerId: string;
  slot: number;
  /** What holds the slot: the connected account's identity key (see `slotHolderFor`). */
  holder: string;
  claimedAt: Date;
}

const planSlotSchema = new Schema<PlanSlot>(
  {
    _id: { type: String, required: true },
    ownerId: { type: String, required: true },
    slot: { type: Number, required: true, min: 0 },
    holder: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'plan_slots', versionKey: false },
);
planSlotSchema.index({ ownerId: 1, holder: 1 }, { unique: true });

/** The key a connected account holds its slot under: one slot per identity per pen name (a reconnect keeps it). */
export function slotHolderFor(account: { penNameId: string; platform: PlatformId; externalId: string }): string {
  return identityKeyOf(account);
}

export function planSlotModel(connection: Connection) {
  return connection.model<PlanSlot>('PlanSlot', planSlotSchema);
}
