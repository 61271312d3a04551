import { randomUUID } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import type { PlatformId } from '../../platforms/types.js';

// An in-app notification about an account's status, and the delivery state of its email and
// webhook copies. One document per dedupe key: a retried activity never notifies twice.

export const NOTIFICATION_KINDS = ['expiring', 'expired', 'reconnected', 'recovered', 'disconnected'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const DELIVERY_STATES = ['pending', 'sent', 'skipped', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface Delivery {
  state: DeliveryState;
  /** Delivery attempts so far: the generation of the channel's latest claim (db/notifications.ts). */
  attempts: number;
  lastError?: string;
  sentAt?: Date;
}

export interface Notification {
  _id: string;
  dedupeKey: string;
  ownerId: string;
  penNameId: string;
  penName: string;
  accountId: string;
  platform: PlatformId;
  handle: string;
  kind: NotificationKind;
  title: string;
  body: string;
  /** Path of the page to open, relative to the dashboard URL. */
  link: string;
  reason?: { code: string; message: string };
  deadline?: Date;
  createdAt: Date;
  readAt?: Date;
  email: Delivery;
  webhook: Delivery;
}

const deliverySchema = new Schema<Delivery>(
  {
    state: { type: String, enum: DELIVERY_STATES, required: true },
    attempts: { type: Number, required: true, default: 0 },
    lastError: String,
    sentAt: Date,
  },
  { _id: false },
);

const notificationSchema = new Schema<Notification>(
  {
    _id: { type: String, default: () => randomUUID() },
    dedupeKey: { type: String, required: true, unique: true },
    ownerId: { type: String, required: true },
    penNameId: { type: String, required: true },
    penName: { type: String, required: true },
    accountId: { type: String, required: true, index: true },
    platform: { type: String, required: true },
    handle: { type: String, required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    link: { type: String, required: true },
    reason: { type: new Schema({ code: String, message: String }, { _id: false }) },
    deadline: Date,
    createdAt: { type: Date, required: true },
    readAt: Date,
    email: { type: deliverySchema, required: true },
    webhook: { type: deliverySchema, required: true },
  },
  { collection: 'notifications', versionKey: false },
);
notificationSchema.index({ ownerId: 1, createdAt: -1 });

export function notificationModel(connection: Connection) {
  return connection.model<Notification>('Notification', notificationSchema);
}
