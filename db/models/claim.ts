import { Schema, type Connection } from 'mongoose';

// "This attempt, and no other, does X now": one document per (key, generation), taken by inserting
// it. The unique `_id` makes the insert the decision on MongoDB and on FerretDB alike; FerretDB
// 1.24's conditional updates are not atomic (db/README.md). A claim past `until` whose holder
// left no outcome died: the next generation takes over. See db/claims.ts.

export interface Claim {
  /** `<key>#<generation>` */
  _id: string;
  key: string;
  generation: number;
  holder: string;
  /** The holder's lease ends then; a released claim has `until` in the past. */
  until: Date;
  /** Set when the claimed work is done for good: no later generation may start it again. */
  outcome?: string;
}

const claimSchema = new Schema<Claim>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    generation: { type: Number, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
    outcome: String,
  },
  { collection: 'claims', versionKey: false },
);
// Only the periodic sweep queries by time; every claim is taken and read by `_id`.
claimSchema.index({ until: 1 });

export function claimModel(connection: Connection) {
  return connection.model<Claim>('Claim', claimSchema);
}
