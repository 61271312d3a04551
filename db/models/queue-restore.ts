import { Schema, type Connection } from 'mongoose';

// An account whose workflow self-healing started again: the posts its lost run held must be handed
// to the new run. Written before the start and removed once they were, so a pass that dies between
// the start and the hand-over leaves it for the next pass (db/queue-restores.ts).

export interface QueueRestore {
  /** The account id. */
  _id: string;
  /** Targets queued before this instant were held by a run that is gone. */
  since: Date;
}

const queueRestoreSchema = new Schema<QueueRestore>(
  {
    _id: { type: String, required: true },
    since: { type: Date, required: true },
  },
  { collection: 'queue_restores', versionKey: false },
);

export function queueRestoreModel(connection: Connection) {
  return connection.model<QueueRestore>('QueueRestore', queueRestoreSchema);
}
