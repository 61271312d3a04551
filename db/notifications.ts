import { endClaim, takeClaim } from './claims.js';
import { isDuplicateKey } from './duplicate-key.js';
import type { Models } from './models/index.js';
import type { Notification } from './models/notification.js';
import { isInScope, type PenNameScope } from './models/pen-name.js';
import { withDatabaseRetry } from './retry.js';

// Reads and read-marks of one pen name's notifications. Every function is a fixed number of
// queries, whatever the number of notifications.

const unread = { readAt: { $exists: false } };

export function countUnread(models: Models, scope: PenNameScope): Promise<number> {
  return models.Notification.countDocuments({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...unread });
}

export interface NotificationList {
  items: Notification[];
  /** All of the pen name's notifications, read or not (counted only when the list is cut). */
  total: number;
}

/** Up to `limit` notifications: unread ones first, then read ones, each newest first. At most three queries. */
export async function listNotifications(models: Models, scope: PenNameScope, limit: number): Promise<NotificationList> {
  const mine = { ownerId: scope.ownerId, penNameId: scope.penNameId };
  const newestFirst = { createdAt: -1 as const, _id: 1 as const };
  const unreadItems = await models.Notification.find({ ...mine, ...unread }).sort(newestFirst).limit(limit).lean();
  const room = limit - unreadItems.length;
  const readItems = room > 0 ? await models.Notification.find({ ...mine, readAt: { $exists: true } }).sort(newestFirst).limit(room).lean() : [];
  const items = [...unreadItems, ...readItems];
  const total = items.length < limit ? items.length : await models.Notification.countDocuments(mine);
  return { items, total };
}

/** 'not-found' also for another user's or another pen name's notification: its existence is not revealed. */
export async function markRead(models: Models, scope: PenNameScope, id: string, now: Date): Promise<'marked' | 'already-read' | 'not-found'> {
  const mine = { _id: id, ownerId: scope.ownerId, penNameId: scope.penNameId };
  const marked = await models.Notification.updateOne({ ...mine, ...unread }, { $set: { readAt: now } });
  if (marked.matchedCount === 1) return 'marked';
  const existing = await models.Notification.findById(id, { ownerId: 1, penNameId: 1 }).lean();
  return existing && isInScope(existing, scope) ? 'already-read' : 'not-found';
}

/** Marks every unread notification of the pen name read; returns how many. */
export async function markAllRead(models: Models, scope: PenNameScope, now: Date): Promise<number> {
  const result = await models.Notification.updateMany({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...unread }, { $set: { readAt: now } });
  return result.modifiedCount;
}

// Delivery of a notification's email and webhook copies. The in-app notice is inserted once (its
// `_id` is the dedupe key); each channel is then sent under a claim (db/claims.ts) keyed by the
// notification and channel, so two overlapping attempts never both send. A claim ended with the
// outcome `sent` or `skipped` ends the channel for good.

export type Channel = 'email' | 'webhook';

/** Inserts the notification unless one with its `_id` exists; answers the stored one and whether this call created it. */
export async function createNotificationOnce(models: Models, notification: Notification): Promise<{ notification: Notification; created: boolean }> {
  try {
    await withDatabaseRetry(() => models.Notification.create(notification));
    return { notification, created: true };
  } catch (error) {
    // An earlier or concurrent attempt inserted it first; theirs is the one.
    if (!isDuplicateKey(error)) throw error;
  }
  const stored = await withDatabaseRetry(() => models.Notification.findById(notification._id).lean());
  if (!stored) throw new Error(`notification ${notification._id} was not stored`);
  return { notification: stored, created: false };
}

const deliveryKey = (id: string, channel: Channel) => `notify:${id}:${channel}`;

export type DeliveryClaim = { claimed: true; attempt: number } | { claimed: false; done: boolean };

/** Takes the channel for one delivery attempt; `done` when an earlier attempt finished it. */
export async function claimDelivery(
  models: Models,
  input: { notification: Pick<Notification, '_id' | 'email' | 'webhook'>; channel: Channel; holder: string; now: Date; leaseMs: number },
): Promise<DeliveryClaim> {
  const { notification, channel } = input;
  const answer = await withDatabaseRetry(() =>
    takeClaim(models, { key: deliveryKey(notification._id, channel), from: notification[channel].attempts + 1, holder: input.holder, now: input.now, leaseMs: input.leaseMs }),
  );
  if (answer.won) return { claimed: true, attempt: answer.generation };
  return { claimed: false, done: 'outcome' in answer };
}

/** Records how the claimed attempt went, on the notification (pages) and on the claim (the next attempt). */
export async function finishDelivery(
  models: Models,
  input: { id: string; channel: Channel; attempt: number; state: 'sent' | 'skipped' | 'failed'; lastError?: string; now: Date },
): Promise<void> {
  const { id, channel, attempt, state, now } = input;
  const set: Record<string, unknown> = { [`${channel}.state`]: state, [`${channel}.attempts`]: attempt };
  if (state === 'sent') set[`${channel}.sentAt`] = now;
  if (input.lastError !== undefined) set[`${channel}.lastError`] = input.lastError;
  await withDatabaseRetry(() => models.Notification.updateOne({ _id: id }, { $set: set }));
  await withDatabaseRetry(() => endClaim(models, { key: deliveryKey(id, channel), generation: attempt, now, ...(state === 'failed' ? {} : { outcome: state }) }));
}

/** A notification's email and webhook delivery states, by `_id` (its dedupe key). */
export async function deliveryStatesOf(models: Pick<Models, 'Notification'>, id: string): Promise<Pick<Notification, 'kind' | 'email' | 'webhook'> | undefined> {
  return (await withDatabaseRetry(() => models.Notification.findById(id, { kind: 1, email: 1, webhook: 1 }).lean())) ?? undefined;
}
