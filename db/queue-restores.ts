import type { Models } from './models/index.js';
import type { QueueRestore } from './models/queue-restore.js';
import { withDatabaseRetry } from './retry.js';

// Self-healing's memory of the workflows it started again (models/queue-restore.ts). Only
// self-healing writes it, one pass at a time, and it holds a few documents at most, so reading it
// whole costs nothing.

type Restores = Pick<Models, 'QueueRestore'>;

/** Notes that `accountId`'s workflow is being started again; targets queued before `since` need the new run. */
export async function noteQueueRestore(models: Restores, accountId: string, since: Date): Promise<void> {
  // An earlier note for the same account keeps its older instant: its posts are not handed over yet.
  await withDatabaseRetry(() => models.QueueRestore.updateOne({ _id: accountId }, { $setOnInsert: { since } }, { upsert: true }));
}

/** Every restart whose posts were not handed over yet. */
export async function pendingQueueRestores(models: Restores): Promise<QueueRestore[]> {
  return withDatabaseRetry(() => models.QueueRestore.find({}).lean());
}

/** The posts of these restarts were handed over. */
export async function endQueueRestores(models: Restores, accountIds: string[]): Promise<void> {
  await Promise.all(accountIds.map((accountId) => withDatabaseRetry(() => models.QueueRestore.deleteOne({ _id: accountId }))));
}
