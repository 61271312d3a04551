import type { Models } from './models/index.js';
import type { Notification } from './models/notification.js';
import type { PenNameScope } from './models/pen-name.js';

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
  return existing && existing.ownerId === scope.ownerId && existing.penNameId === scope.penNameId ? 'already-read' : 'not-found';
}

/** Marks every unread notification of the pen name read; returns how many. */
export async function markAllRead(models: Models, scope: PenNameScope, now: Date): Promise<number> {
  const result = await models.Notification.updateMany({ ownerId: scope.ownerId, penNameId: scope.penNameId, ...unread }, { $set: { readAt: now } });
  return result.modifiedCount;
}
