import { randomUUID } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';

// A pen name groups a user's connected accounts (one brand, client or persona).

export interface PenName {
  _id: string;
  ownerId: string;
  name: string;
  createdAt: Date;
}

/** Whose data a page or service works on: a user, in one of their pen names. */
export interface PenNameScope {
  ownerId: string;
  penNameId: string;
}

/** Whether a document (an account, a post, a notification) belongs to this owner's pen name. */
export const isInScope = (document: PenNameScope, scope: PenNameScope): boolean => document.ownerId === scope.ownerId && document.penNameId === scope.penNameId;

const penNameSchema = new Schema<PenName>(
  {
    _id: { type: String, default: () => randomUUID() },
    ownerId: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'pen_names', versionKey: false },
);
penNameSchema.index({ ownerId: 1, name: 1 }, { unique: true });

export function penNameModel(connection: Connection) {
  return connection.model<PenName>('PenName', penNameSchema);
}
