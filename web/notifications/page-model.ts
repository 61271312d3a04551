import type { Notification } from '../../db/models/notification.js';
import { formatDateTime } from '../../services/phrasing/index.js';
import type { Reader } from '../reader.js';
import { safeLocalPath } from '../respond.js';

// What the notifications page shows of one notification.

export interface NotificationRow {
  id: string;
  title: string;
  body: string;
  /** The account's page (reconnect or the account on the connections page). */
  link: string;
  /** Why, when there was a problem: the message unless the body already says it, and the code to quote to support. */
  reason?: { message?: string; code: string };
  createdAt: string;
  createdAtIso: string;
  unread: boolean;
  /** Needs the user's action (reconnect), as opposed to news. */
  problem: boolean;
}

/** One row; its time in the reader's zone (title and body were worded in the owner's zone when it was made). */
export function notificationRow(notification: Notification, reader: Pick<Reader, 'timeZone'>): NotificationRow {
  const created = new Date(notification.createdAt);
  const reason = notification.reason?.code ? notification.reason : undefined;
  return {
    id: notification._id,
    title: notification.title,
    body: notification.body,
    link: safeLocalPath(notification.link, '/connections'),
    ...(reason ? { reason: { code: reason.code, ...(reason.message && !notification.body.includes(reason.message) ? { message: reason.message } : {}) } } : {}),
    createdAt: formatDateTime(created, reader.timeZone),
    createdAtIso: created.toISOString(),
    unread: !notification.readAt,
    problem: notification.kind === 'expiring' || notification.kind === 'expired',
  };
}
