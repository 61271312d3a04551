import { Schema, type Connection } from 'mongoose';

// Which slot a holder (db/models/plan-slot.ts) holds, keyed by owner and holder: a reconnect finds
// its slot with one point read instead of a query (a full scan on FerretDB). Written after the slot
// itself, so it is a hint: a slot without one is found through the unique (ownerId, holder) index
// the next time its holder claims (db/plan-slots.ts).

export interface PlanSlotHolder {
  /** `<ownerId>|<holder>` */
  _id: string;
  slot: number;
}

const planSlotHolderSchema = new Schema<PlanSlotHolder>(
  {
    _id: { type: String, required: true },
    slot: { type: Number, required: true },
  },
  { collection: 'plan_slot_holders', versionKey: false },
);

export const holderIdOf = (ownerId: string, holder: string) => `${ownerId}|${holder}`;

export function planSlotHolderModel(connection: Connection) {
  return connection.model<PlanSlotHolder>('PlanSlotHolder', planSlotHolderSchema);
}
