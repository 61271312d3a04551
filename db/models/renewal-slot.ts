import { Schema, type Connection } from 'mongoose';

// One taken slot of a platform's token-request grid (activities/lifecycle/slot-grid.ts): inserting
// `<platform>:<slot>` is the claim, so every worker process paces on the same slots. A unique `_id`
// insert decides on MongoDB and FerretDB alike (FerretDB 1.24's conditional updates are not
// atomic). Old slots are swept with the claims (no TTL index: FerretDB has none).

export interface RenewalSlot {
  /** `<platform>:<slot number>` */
  _id: string;
  /** When the slot starts. */
  at: Date;
}

const renewalSlotSchema = new Schema<RenewalSlot>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'renewal_slots', versionKey: false },
);
// Only the sweep queries by time; every slot is taken by `_id`.
renewalSlotSchema.index({ at: 1 });

export function renewalSlotModel(connection: Connection) {
  return connection.model<RenewalSlot>('RenewalSlot', renewalSlotSchema);
}
